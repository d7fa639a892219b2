"""Checks of what Chromium computed, for the accessibility tests: text contrast and the Tab order."""

from __future__ import annotations

# Every visible text node whose colour, against the backgrounds painted under it (alpha blended,
# opacity included), falls below WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
# SVG text (Plotly's ticks and titles) is judged by its fill against the chart's HTML background.
# Disabled controls are exempt (WCAG 1.4.3), as is text hidden from assistive tech with its own label.
LOW_CONTRAST_JS = r"""
(root) => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const blend = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  // Only ancestors whose box holds the text paint under it (a slider's value label sits above its thumb).
  const under = (e, box) => {
    const r = e.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
    return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  };
  const background = (el, box) => { const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0 && under(e, box)) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (const l of layers.reverse()) bg = blend(l, bg); return bg; };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const out = [];
  const walker = document.createTreeWalker(root || document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim(); if (!text) continue;
    const el = n.parentElement; if (!el) continue;
    const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
    const cs = getComputedStyle(el); if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    const exempt = '[disabled], [aria-disabled="true"], [data-testid="stIconMaterial"], .katex-mathml,'
      + ' .modebar';
    if (el.closest(exempt)) continue;
    if (el.closest('[aria-hidden="true"]') && !el.closest('.lvl-legend')) continue;
    const svg = el instanceof SVGElement;
    let fg = parse(svg ? cs.fill : cs.color); if (!fg) continue;
    fg = [fg[0], fg[1], fg[2], fg[3] * (svg ? Number(cs.fillOpacity || 1) : 1) * opacity(el)];
    if (fg[3] < 0.05) continue;  // transparent: not shown (a slider's range labels until hovered)
    const bg = background(svg ? el.closest('div') : el, r);
    const L1 = lum(blend(fg, bg)), L2 = lum(bg);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) out.push({ text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100,
      size, color: svg ? cs.fill : cs.color });
  }
  return out;
}
"""

# Every element a Tab key press can stop on, in document order, described for a failure message.
TAB_STOPS_JS = r"""
() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length
                 && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => ({
    tag: e.tagName, href: e.getAttribute('href') || '',
    label: (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40),
    anchor: !!e.closest('[data-testid="stHeaderActionElements"]'), toolbar: !!e.closest('.modebar'),
  }))
"""


def low_contrast(page, selector: str | None = None) -> list[dict]:
    """Text under AA on the page (or inside ``selector``): [{'text', 'ratio', 'size', 'color'}]."""
    root = page.locator(selector).first.element_handle() if selector else None
    return page.evaluate(LOW_CONTRAST_JS, root)


def tab_stops(page) -> list[dict]:
    """The elements in the page's Tab order."""
    return page.evaluate(TAB_STOPS_JS)
