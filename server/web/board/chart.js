// Bar charts of plain HTML, no chart library: one row per item with its label, a bar scaled to the largest value
// and the value as text. The board's reports and the care desk's figures draw with it (styles in chart.css).
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.flat().filter(Boolean));
  return node;
}

// items: [{ key, label, value (a number or null), text (the value as shown) }]; max: the value of a full bar
// (at least the largest value); empty: the text shown when there are no items; attrs: the chart element's attributes.
export function bar_chart({ title, items, max = 0, empty = '', attrs = {} }) {
  const top = Math.max(max, ...items.map((i) => i.value ?? 0), 1e-9);
  const chart = el('div', { ...attrs, class: `chart ${attrs.class || ''}`.trim() }, el('div', { class: 'chart-title', text: title }),
    items.map((i) => {
      const fill = el('span', { class: 'fill' });
      fill.style.width = `${((i.value ?? 0) / top) * 100}%`;
      return el('div', { class: 'bar', 'data-group': i.key },
        el('span', { class: 'label', title: i.label, text: i.label }),
        el('span', { class: 'track' }, fill), el('span', { class: 'value', text: i.text }));
    }));
  if (!items.length) chart.append(el('p', { class: 'hint', text: empty }));
  return chart;
}
