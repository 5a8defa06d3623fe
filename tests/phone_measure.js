() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && el.checkVisibility({opacityProperty: true, visibilityProperty: true}) && !el.closest("[hidden]") && !el.closest(".md-sidebar--primary:not([hidden]) .md-nav--primary") ;
  };
  const small = [];
  const walker = document.createTreeWalker(document.querySelector(".md-main"), NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (seen.has(el) || el.closest("svg") || el.closest(".md-sidebar") || el.closest(".headerlink")) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) small.push([el.tagName + "." + el.className, node.textContent.trim().slice(0, 20), size]);
  }
  const targets = [];
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, label[for]").forEach((el) => {
    if (!visible(el) || el.closest(".md-sidebar") || el.classList.contains("md-skip") || (el.tagName === "LABEL" && !el.classList.contains("md-header__button"))) return;
    const box = el.tagName === "INPUT" && el.closest("label") ? el.closest("label") : el;
    const r = box.getBoundingClientRect();
    if (r.width >= 44 && r.height >= 44) return;
    const st = getComputedStyle(el);
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    const inline = st.display === "inline" && block && block.textContent.trim().length > el.textContent.trim().length;
    if (inline) return;
    targets.push([el.tagName + "." + el.className, (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 16), Math.round(r.width), Math.round(r.height)]);
  });
  const charts = [];
  document.querySelectorAll("svg text").forEach((t) => {
    const ctm = t.getScreenCTM();
    if (!ctm) return;
    const px = parseFloat(t.getAttribute("font-size")) * ctm.a;
    if (px < 12) charts.push([t.textContent.slice(0, 12), px.toFixed(1)]);
  });
  return { small, targets, charts };
}
