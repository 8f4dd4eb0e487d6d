"""Where things are on a page, for the browser tests: overlaps, width, axe-core's findings."""

from tests.conftest import ROOT

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"

# What a reader reads or uses: form controls and their labels, buttons, the preview, text blocks.
BLOCKS = (
    "input:not([type=hidden]), textarea, select, button, label, p, h1, h2, pre, li, dt, dd,"
    " article, section.preview, .errorlist, .helptext, nav, .meta, .tools"
)


def overlaps(page) -> list[str]:
    """Pairs of visible blocks (neither inside the other) whose boxes overlap."""
    return page.evaluate(
        """(selector) => {
        // Posts out of view are laid out only when scrolled to: measured as a reader sees them.
        document.querySelectorAll('main > .post').forEach((post) => {
            post.style.contentVisibility = 'visible';
        });
        const shown = [...document.querySelectorAll(selector)].filter((el) => {
            if (el.closest('.visually-hidden, [hidden], dialog:not([open]), header.site')) {
                return false;
            }
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
        });
        const name = (el) => {
            const text = (el.textContent || el.value || '').trim().slice(0, 30);
            return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                + `${el.className && typeof el.className === 'string'
                    ? '.' + el.className.split(' ')[0] : ''} "${text}"`;
        };
        const boxes = shown.map((el) => [el, el.getBoundingClientRect()]);
        const found = [];
        for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
                const [a, p] = boxes[i], [b, q] = boxes[j];
                if (a.contains(b) || b.contains(a)) continue;
                const wide = Math.min(p.right, q.right) - Math.max(p.left, q.left);
                const tall = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
                if (wide > 1 && tall > 1) found.push(`${name(a)} overlaps ${name(b)}`);
            }
        }
        return found;
    }""",
        BLOCKS,
    )


def too_wide(page) -> list[str]:
    """The page, when it is wider than the viewport (it would scroll sideways)."""
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return [f"page is {width[0]}px wide in {width[1]}px"] if width[0] > width[1] else []


# A page whose scripts are off runs no timers: axe's are run as soon as the code before them.
NO_TIMERS = (
    "window.setTimeout = (f, ms, ...args) => { Promise.resolve().then(() => f(...args)); };"
    "window.clearTimeout = () => {};"
)


def axe_violations(page, *, scripts: bool = True) -> list[str]:
    """axe-core's serious and critical findings; run as the test's own code, so that it works
    under the forum's CSP and on a page whose scripts are off."""
    code = ("" if scripts else NO_TIMERS) + AXE.read_text()
    found = page.evaluate(code + "\n;axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]
