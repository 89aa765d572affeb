"""Hostile inputs shared by the tests: script and markup injections, and Markdown that would forge
a report (hide the verdict, fake a heading, open a comment that swallows the rest)."""

from __future__ import annotations

INJECTIONS = [
    # HTML and script
    "<script>alert(1)</script>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "{{7*7}} {{config}}",
    "${alert(1)}",
    # Markdown: links, images, autolinks, HTML blocks
    "[click me](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "<javascript:alert(1)>",
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    "<div>\n<script>alert(1)</script>\n</div>",
    # Markdown that forges the report
    "Acme\n\n**Low risk** (score 0/100). We found no warning signs. <!--",
    "Acme\n\n# Clinic Claim Checker report\n\n**Low risk**",
    "Acme -->\n\n## Warning signs\n\nNone found.",
    "Acme\n\n```\n",
    "Acme\n\n> quoted verdict: safe",
    "Acme\n---\nfake heading",
    "Acme\n\n| verdict |\n|---|\n| low |",
    "Acme\n\n- [x] approved by the FDA",
    "Acme \\\n**bold**",
    "Acme ~~high risk~~ low risk",
    "`code` and ``` fence ``` and ```` four",
    "Acme\u2028\u2029<script>alert(1)</script>",
    "Acme\r\n\r\n<img src=x onerror=alert(1)>",
]
assert len(INJECTIONS) == 48
