/* prov report: a small single-page app over the data files in html/data.
 *
 * Data files are scripts calling PROV.put(key, value): browsers refuse fetch() of file://
 * URLs but load script tags, so the report opens from disk with no server. Text from the
 * corpus is only ever put into the page as text nodes (never as HTML).
 */
"use strict";

window.PROV = (() => {
  const cache = new Map();
  const waiting = new Map();
  function put(key, value) {
    cache.set(key, value);
    const queue = waiting.get(key) || [];
    waiting.delete(key);
    queue.forEach((w) => w.resolve(value));
  }
  function load(key) {
    if (cache.has(key)) return Promise.resolve(cache.get(key));
    return new Promise((resolve, reject) => {
      if (!waiting.has(key)) {
        waiting.set(key, []);
        const script = document.createElement("script");
        script.src = "html/data/" + key + ".js";
        script.onerror = () => {
          const queue = waiting.get(key) || [];
          waiting.delete(key);
          queue.forEach((w) => w.reject(new Error("data file html/data/" + key + ".js is missing")));
        };
        document.head.appendChild(script);
      }
      waiting.get(key).push({ resolve, reject });
    });
  }
  return { put, load };
})();

(() => {
  const main = document.getElementById("main");
  const SVG = "http://www.w3.org/2000/svg";
  const CATEGORIES = ["news", "boilerplate", "stock", "credit"];
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
  let overview = null;

  /* ---- small DOM helpers ---- */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const plural = (n, one, many) => fmt(n) + " " + (n === 1 ? one : many || one + "s");
  const fmt = (n) => (n === null || n === undefined ? "" : Number(n).toLocaleString("en-US"));
  const pct = (x) => (x === null || x === undefined || !isFinite(x) ? "" : (100 * x).toFixed(1) + "%");
  const badge = (category) => el("span", { class: "badge " + category }, category);
  const docLink = (no, id) => el("a", { href: "#/doc/" + no, class: "doc-link" }, id);
  const clusterLink = (no, id) => el("a", { href: "#/cluster/" + no }, id);
  function colour(origin) {
    if (origin === "unknown" || !origin) return "#9a9a9a";
    const known = (overview.shares.origins || []).filter((o) => o !== "unknown");
    const i = known.indexOf(origin);
    return PALETTE[(i < 0 ? PALETTE.length - 1 : i) % PALETTE.length];
  }
  function clusterColour(n) {
    return "hsl(" + ((n * 137.508) % 360).toFixed(0) + ", 65%, 82%)";
  }
  function page(title, ...children) {
    main.replaceChildren(el("h1", {}, title), ...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    document.title = title + " — prov report";
  }
  function fail(err) {
    main.replaceChildren(el("p", { class: "error" }, String(err && err.message ? err.message : err)));
  }

  /* ---- sortable tables ---- */
  function table(columns, rows, options) {
    // columns: [{label, key, num, render}], rows: objects; options: {total, sort, desc}
    const opts = options || {};
    let sortKey = opts.sort || null;
    let desc = opts.desc !== undefined ? opts.desc : true;
    const wrap = el("div", { class: "table-wrap" });
    function draw() {
      const sorted = rows.slice();
      if (sortKey !== null) {
        const col = columns.find((c) => c.key === sortKey);
        sorted.sort((a, b) => {
          const x = col.value ? col.value(a) : a[sortKey];
          const y = col.value ? col.value(b) : b[sortKey];
          if (x === y) return 0;
          if (x === null || x === undefined || x === "") return 1;
          if (y === null || y === undefined || y === "") return -1;
          return (x < y ? -1 : 1) * (desc ? -1 : 1);
        });
      }
      const head = el("tr", {}, columns.map((c) => {
        const cls = ["sortable", c.num ? "num" : "", c.key === sortKey ? (desc ? "sorted-desc" : "sorted-asc") : ""].join(" ");
        return el("th", {
          class: cls,
          title: "sort by " + c.label,
          onclick: () => { if (sortKey === c.key) desc = !desc; else { sortKey = c.key; desc = !!c.num; } draw(); },
        }, c.label);
      }));
      const body = sorted.map((r) => el("tr", {}, columns.map((c) => el("td", { class: c.num ? "num" : "" }, c.render ? c.render(r) : r[c.key]))));
      const foot = opts.total ? [el("tr", { class: "total" }, columns.map((c) => el("td", { class: c.num ? "num" : "" }, opts.total[c.key] === undefined ? "" : opts.total[c.key])))] : [];
      wrap.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, body, foot)));
    }
    draw();
    return wrap;
  }

  /* ---- views ---- */
  function viewOverview() {
    const o = overview;
    const stats = [
      [fmt(o.documents), "documents"],
      [fmt(o.outlets), "outlets"],
      [fmt(o.clusters), "clusters"],
      ...CATEGORIES.map((c) => [fmt(o.categories[c] || 0), c + " clusters"]),
      [fmt(o.skipped), "inputs skipped"],
    ];
    const detect = o.detect || {};
    const params = ["threshold", "min_words", "min_similarity", "shingle_size", "window_words", "num_perm", "bands", "rows"]
      .filter((k) => detect[k] !== undefined)
      .map((k) => k + " " + detect[k]).join(", ");
    const origins = table(
      [
        { label: "origin", key: "origin", render: (r) => el("a", { href: "#/clusters?origin=" + encodeURIComponent(r.origin) + "&category=news" }, r.origin) },
        { label: "news clusters", key: "clusters", num: true, render: (r) => fmt(r.clusters) },
        { label: "copies", key: "copies", num: true, render: (r) => fmt(r.copies) },
        { label: "characters of copy", key: "chars", num: true, render: (r) => fmt(r.chars) },
      ],
      o.origins, { sort: "clusters", desc: true },
    );
    page(
      "Overview",
      el("div", { class: "cards-grid" }, stats.map(([n, what]) => el("div", { class: "stat" }, el("b", {}, n), el("span", {}, what)))),
      el("h2", {}, "Top origins of news copy"),
      el("p", { class: "note" }, "News clusters in two documents or more: a passage repeated inside one document is nobody's reprint."),
      o.origins.length ? origins : el("p", { class: "note" }, "No news cluster spans two documents."),
      el("p", {}, "See ", el("a", { href: "#/shares" }, "how much of each outlet is agency copy"), ", ",
        el("a", { href: "#/time" }, "when copy was printed"), ", ", el("a", { href: "#/graph" }, "the graph"),
        " and ", el("a", { href: "#/clusters" }, "every cluster"), "."),
      el("h2", {}, "The run"),
      el("dl", { class: "kv" },
        el("dt", {}, "inputs"), el("dd", {}, (o.inputs || []).join(", ")),
        el("dt", {}, "created"), el("dd", {}, o.created || ""),
        el("dt", {}, "prov"), el("dd", {}, (o.version || "") + " (" + (o.engine || "local") + " engine, report schema " + (o.schema_version || "?") + ")"),
        el("dt", {}, "parameters"), el("dd", {}, params),
        el("dt", {}, "texts"), el("dd", {}, o.has_texts ? "stored in the report (texts.parquet)" : "left out of the report (--no-texts): context and documents show passages only"),
        el("dt", {}, "stage seconds"), el("dd", {}, (o.timings || []).map((t) => t.stage + " " + t.seconds.toFixed(2)).join(", ")),
      ),
    );
  }

  function viewShares() {
    const s = overview.shares;
    const unit = s.level === "outlet" ? "outlet" : "document";
    const note = s.level === "outlet" ? null : el("p", { class: "note" }, "The documents carry no outlet, so each document stands for its outlet.");
    const origins = s.origins;
    const rows = s.units.map((u) => {
      const r = { unit: u.unit, total: u.total_chars, all: u.total_chars ? (u.chars.all || 0) / u.total_chars : 0 };
      origins.forEach((o) => { r[o] = u.total_chars ? (u.chars[o] || 0) / u.total_chars : 0; });
      return r;
    });
    const sum = (f) => s.units.reduce((a, u) => a + f(u), 0);
    const text = sum((u) => u.total_chars);
    const total = { unit: "all " + unit + "s", total: fmt(text), all: pct(text ? sum((u) => u.chars.all || 0) / text : 0) };
    origins.forEach((o) => { total[o] = pct(text ? sum((u) => u.chars[o] || 0) / text : 0); });
    const left = table(
      [
        { label: unit, key: "unit" },
        { label: "text (chars)", key: "total", num: true, render: (r) => fmt(r.total) },
        { label: "all copy", key: "all", num: true, render: (r) => pct(r.all) },
        ...origins.map((o) => ({ label: o, key: o, num: true, render: (r) => pct(r[o]) })),
      ], rows, { sort: "all", desc: true, total },
    );
    const per = s.clusters_per_origin;
    const printedOrigins = Object.keys(per).sort((a, b) => per[b] - per[a]);
    const rows2 = Object.entries(s.printed).map(([u, counts]) => {
      const r = { unit: u };
      printedOrigins.forEach((o) => { r[o] = per[o] ? (counts[o] || 0) / per[o] : 0; });
      return r;
    });
    const total2 = { unit: "news clusters of the origin" };
    printedOrigins.forEach((o) => { total2[o] = fmt(per[o]); });
    const right = table(
      [{ label: unit, key: "unit" }, ...printedOrigins.map((o) => ({ label: o, key: o, num: true, render: (r) => pct(r[o]) }))],
      rows2, { sort: printedOrigins[0] || null, desc: true, total: total2 },
    );
    page(
      "Outlets × origins",
      note,
      el("h2", {}, "Share of each " + unit + "'s text that is copy from each origin"),
      el("p", { class: "note" }, "Characters of news passages shared with another document, by the origin inferred for their cluster, over all characters the " + unit + " printed. Click a heading to sort."),
      left,
      s.units_total > s.units.length ? el("p", { class: "note" }, "Showing the " + fmt(s.units.length) + " " + unit + "s with most copy of " + fmt(s.units_total) + "; wire_share.parquet holds them all.") : null,
      el("h2", {}, "Share of each origin's reused passages that each " + unit + " printed"),
      el("p", { class: "note" }, "Of the news clusters attributed to an origin (spanning two documents or more), the share with a copy in the " + unit + "."),
      right,
      s.printed_total > rows2.length ? el("p", { class: "note" }, "Showing the " + fmt(rows2.length) + " " + unit + "s that printed most news clusters of " + fmt(s.printed_total) + "; passages.parquet lists every copy, and clusters.parquet each cluster's origin.") : null,
    );
  }

  function bars(width, height, items, options) {
    // items: [{label, parts: [[value, colour, title]]}] stacked vertical bars
    const pad = { l: 60, r: 10, t: 10, b: 70 };
    const max = Math.max(1, ...items.map((i) => i.parts.reduce((a, p) => a + p[0], 0)));
    const w = (width - pad.l - pad.r) / Math.max(items.length, 1);
    const root = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, role: "img" });
    root.appendChild(svg("title", {}, options.title));
    const lines = Math.min(4, Math.ceil(max)); // a small maximum gets fewer lines, never two alike labels
    for (let k = 0; k <= lines; k++) {
      const y = pad.t + (height - pad.t - pad.b) * (1 - k / lines);
      root.appendChild(svg("line", { x1: pad.l, x2: width - pad.r, y1: y, y2: y, stroke: "#e3e6ea" }));
      root.appendChild(svg("text", { x: pad.l - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5f6670" }, fmt(Math.round(max * k / lines))));
    }
    items.forEach((item, i) => {
      let y = height - pad.b;
      item.parts.forEach(([v, c, t]) => {
        const h = (height - pad.t - pad.b) * v / max;
        y -= h;
        const rect = svg("rect", { x: pad.l + i * w + 1, y, width: Math.max(1, w - 2), height: h, fill: c });
        rect.appendChild(svg("title", {}, t));
        root.appendChild(rect);
      });
      const every = Math.ceil(items.length / 30);
      if (i % every === 0) {
        const x = pad.l + i * w + w / 2;
        root.appendChild(svg("text", { x, y: height - pad.b + 12, "font-size": 11, "text-anchor": "end", transform: "rotate(-45 " + x + " " + (height - pad.b + 12) + ")" }, item.label));
      }
    });
    return root;
  }

  function viewTime() {
    const t = overview.time;
    if (!t.dated) {
      page("Time", el("p", { class: "note" }, "No document has a date prov can read (" + fmt(t.documents) + " documents), so there is no time view. Dates come from a date field or header of the inputs."));
      return;
    }
    const origins = [...new Set(t.series.flatMap((p) => Object.keys(p.chars)))].sort();
    const series = bars(Math.min(1300, Math.max(500, 40 + t.series.length * 14)), 340, t.series.map((p) => ({
      label: p.period,
      parts: origins.filter((o) => p.chars[o]).map((o) => [p.chars[o], colour(o), o + ", " + (t.period === "week" ? "week of " : "") + p.period + ": " + fmt(p.chars[o]) + " characters"]),
    })), { title: "characters of news copy per " + t.period });
    const lags = bars(640, 300, t.lag_bins.map((b, i) => ({ label: b, parts: [[t.lags[i], "#0b5cad", b + ": " + fmt(t.lags[i]) + " reprints"]] })), { title: "reprint lag" });
    page(
      "Time",
      el("p", { class: "note" }, fmt(t.dated) + " of " + fmt(t.documents) + " documents have a date."),
      el("h2", {}, "News copy per " + t.period + ", by origin"),
      el("div", { class: "legend" }, origins.map((o) => el("span", {}, el("i", { class: "swatch", style: "background:" + colour(o) }), o))),
      el("div", { class: "table-wrap" }, series),
      el("h2", {}, "Lag from the earliest dated copy to each reprint"),
      el("p", { class: "note" }, fmt(t.lag_count) + " reprints in news clusters with two dated copies or more. Dates without a time of day count as midnight, so most same-day reprints show as \"same time\"."),
      lags,
    );
  }

  async function viewGraph() {
    const what = overview.shares.level === "outlet" ? "outlets" : "documents";
    const picture = await PROV.load("graph");
    // our own SVG (text escaped when written), parsed as XML: it is never run as HTML
    const parsed = new DOMParser().parseFromString(picture, "image/svg+xml").documentElement;
    page(
      "Graph",
      el("p", { class: "note" }, "Origins (left) and the " + what + " that printed their copy (right); a band's width grows with the characters of copy. Hover a band or a name for its figure. The same picture is html/graph.svg; the full graph, with documents and clusters, is in graph.graphml and graph.gexf for Gephi."),
      el("div", { class: "graph table-wrap" }, document.importNode(parsed, true)),
    );
  }

  /* ---- cluster list ---- */
  const LIST_COLUMNS = ["number", "id", "category", "docs", "outlets", "copies", "origin", "first", "last", "chars", "snippet"];
  function parseQuery(q) {
    const p = new URLSearchParams(q || "");
    return {
      category: p.get("category") || "", origin: p.get("origin") || "", min: parseInt(p.get("min") || "0", 10) || 0,
      q: p.get("q") || "", from: p.get("from") || "", to: p.get("to") || "",
      sort: p.get("sort") || "docs", desc: p.get("dir") !== "asc", page: Math.max(1, parseInt(p.get("page") || "1", 10) || 1),
    };
  }
  function queryString(f) {
    const p = new URLSearchParams();
    if (f.category) p.set("category", f.category);
    if (f.origin) p.set("origin", f.origin);
    if (f.min) p.set("min", f.min);
    if (f.q) p.set("q", f.q);
    if (f.from) p.set("from", f.from);
    if (f.to) p.set("to", f.to);
    if (f.sort !== "docs") p.set("sort", f.sort);
    if (!f.desc) p.set("dir", "asc");
    if (f.page > 1) p.set("page", f.page);
    const s = p.toString();
    return s ? "?" + s : "";
  }
  async function loadRows(chunks, progress) {
    const n = Math.min(chunks, overview.list_chunks);
    const rows = [];
    for (let i = 0; i < n; i++) {
      if (progress && n > 1) progress(i, n);
      const chunk = await PROV.load("list/" + String(i).padStart(5, "0"));
      chunk.forEach((r) => rows.push(Object.fromEntries(LIST_COLUMNS.map((k, j) => [k, r[j]]))));
    }
    return rows;
  }
  async function viewClusters(q) {
    const f = parseQuery(q);
    const PAGE = overview.page_size;
    // The list's data files hold the clusters in the default order: a default view loads the
    // files its page needs; a filter or another order needs them all.
    const needAll = !!(f.category || f.origin || f.min || f.q || f.from || f.to || f.sort !== "docs" || !f.desc);
    const chunks = needAll ? overview.list_chunks : Math.ceil(f.page * PAGE / overview.list_chunk);
    const status = el("p", { class: "note" }, "Loading clusters…");
    page("Clusters", status);
    const rows = await loadRows(chunks, (i, n) => { status.textContent = "Loading clusters: part " + (i + 1) + " of " + n + "…"; });
    const needle = f.q.toLowerCase();
    const kept = rows.filter((r) =>
      (!f.category || r.category === f.category) && (!f.origin || (r.origin || "unknown") === f.origin) && r.docs >= f.min &&
      (!needle || r.snippet.toLowerCase().includes(needle) || r.id.includes(needle)) &&
      (!f.from || (r.last && r.last >= f.from)) && (!f.to || (r.first && r.first.slice(0, 10) <= f.to)));
    if (needAll) {
      kept.sort((a, b) => {
        const x = a[f.sort], y = b[f.sort];
        if (x === y) return a.number - b.number;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * (f.desc ? -1 : 1);
      });
    }
    const total = needAll ? kept.length : overview.clusters;
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const current = Math.min(f.page, pages);
    const go = (changes) => { location.hash = "#/clusters" + queryString({ ...f, page: 1, ...changes }); };
    const origins = ["", ...overview.cluster_origins];
    const controls = el("form", { class: "controls", onsubmit: (e) => { e.preventDefault(); const d = new FormData(e.target); go({ category: d.get("category"), origin: d.get("origin"), min: parseInt(d.get("min") || "0", 10) || 0, q: d.get("q"), from: d.get("from"), to: d.get("to") }); } },
      el("label", {}, "category", el("select", { name: "category" }, ["", ...CATEGORIES].map((c) => el("option", { value: c, selected: c === f.category }, c || "all")))),
      el("label", {}, "origin", el("select", { name: "origin" }, origins.map((o) => el("option", { value: o, selected: o === f.origin }, o || "any")))),
      el("label", {}, "documents at least", el("input", { name: "min", type: "number", min: 0, value: f.min || "", style: "width:6rem" })),
      el("label", {}, "dated from", el("input", { name: "from", type: "date", value: f.from })),
      el("label", {}, "to", el("input", { name: "to", type: "date", value: f.to })),
      el("label", {}, "text or id", el("input", { name: "q", type: "search", value: f.q, placeholder: "words in the text" })),
      el("button", { type: "submit" }, "Filter"),
      el("a", { href: "#/clusters" }, "clear"),
    );
    const sortHead = (label, key, num) => el("th", {
      class: "sortable " + (num ? "num " : "") + (f.sort === key ? (f.desc ? "sorted-desc" : "sorted-asc") : ""),
      onclick: () => go({ sort: key, desc: f.sort === key ? !f.desc : !!num }),
    }, label);
    const body = kept.slice((current - 1) * PAGE, current * PAGE).map((r) => el("tr", {},
      el("td", {}, clusterLink(r.number, r.id)),
      el("td", {}, badge(r.category)),
      el("td", { class: "num" }, fmt(r.docs)),
      el("td", { class: "num" }, fmt(r.outlets)),
      el("td", { class: "num" }, fmt(r.copies)),
      el("td", {}, r.origin || ""),
      el("td", {}, r.first ? r.first.slice(0, 10) : ""),
      el("td", { class: "num" }, fmt(r.chars)),
      el("td", {}, r.snippet),
    ));
    const pager = () => el("div", { class: "pager" },
      el("button", { disabled: current <= 1, onclick: () => { location.hash = "#/clusters" + queryString({ ...f, page: current - 1 }); } }, "‹ previous"),
      el("span", {}, "page " + current + " of " + pages + " · " + plural(total, "cluster") + (needAll && total < overview.clusters ? " (of " + fmt(overview.clusters) + ")" : "")),
      el("button", { disabled: current >= pages, onclick: () => { location.hash = "#/clusters" + queryString({ ...f, page: current + 1 }); } }, "next ›"),
    );
    page("Clusters", controls, pager(),
      el("div", { class: "table-wrap" }, el("table", { class: "clusters" },
        el("thead", {}, el("tr", {}, sortHead("cluster", "number", false), sortHead("category", "category", false), sortHead("documents", "docs", true),
          sortHead("outlets", "outlets", true), sortHead("copies", "copies", true), sortHead("origin", "origin", false), sortHead("first date", "first", false),
          sortHead("chars", "chars", true), el("th", {}, "text (the fullest copy)"))),
        el("tbody", {}, body))),
      pager());
  }

  /* ---- word diff (Myers, O((N+M)D)) ---- */
  function words(text) {
    // [word, following white space] pairs; the key compares words case-folded without punctuation
    const out = [];
    const re = /(\S+)(\s*)/g;
    let m;
    const lead = text.match(/^\s*/)[0];
    if (lead) out.push({ word: "", space: lead, key: "", at: 0 });
    while ((m = re.exec(text)) !== null) out.push({ word: m[1], space: m[2], at: m.index, key: m[1].toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") || m[1] });
    return out;
  }
  function diff(a, b) {
    // edit script from a (representative) to b (copy): [{op: "=", "-", "+", item}]
    const n = a.length, m = b.length, max = n + m;
    if (n * m > 25e6 && max > 20000) return null;
    const v = new Int32Array(2 * max + 2);
    const trace = [];
    let found = false;
    for (let d = 0; d <= max && !found; d++) {
      trace.push(v.slice());
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]) ? v[max + k + 1] : v[max + k - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[x].key === b[y].key) { x++; y++; }
        v[max + k] = x;
        if (x >= n && y >= m) { found = true; break; }
      }
    }
    const ops = [];
    let x = n, y = m;
    for (let d = trace.length - 1; d >= 0; d--) {
      const vv = trace[d];
      const k = x - y;
      const prevK = k === -d || (k !== d && vv[max + k - 1] < vv[max + k + 1]) ? k + 1 : k - 1;
      const px = vv[max + prevK], py = px - prevK;
      while (x > px && y > py) { ops.push({ op: "=", item: b[y - 1] }); x--; y--; }
      if (d > 0) { if (x === px) ops.push({ op: "+", item: b[y - 1] }); else ops.push({ op: "-", item: a[x - 1] }); }
      x = px; y = py;
    }
    return ops.reverse();
  }

  function withCredits(text, offset, credits, cls) {
    // text as nodes, credit spans (offsets relative to the copy's start, shifted by offset) marked
    const spans = credits.map(([s, e, agency, kind]) => [s - offset, e - offset, agency, kind]).filter(([s, e]) => e > 0 && s < text.length).sort((p, q) => p[0] - q[0]);
    const out = [];
    let at = 0;
    for (const [s, e, agency, kind] of spans) {
      const lo = Math.max(s, at), hi = Math.min(e, text.length);
      if (hi <= lo) continue;
      if (lo > at) out.push(el("span", { class: cls }, text.slice(at, lo)));
      out.push(el("mark", { class: "credit " + cls, title: kind + " credit to " + agency }, text.slice(lo, hi)));
      at = hi;
    }
    if (at < text.length) out.push(el("span", { class: cls }, text.slice(at)));
    return out;
  }

  function copyBody(occ, rep, showDiff) {
    const before = (occ.cut_before ? "…" : "") + occ.before;
    const nodes = [...withCredits(before, -before.length, occ.credits, "ctx")];
    let passage;
    const ops = showDiff && rep !== null ? diff(words(rep), words(occ.text)) : null;
    if (ops) {
      passage = el("span", { class: "pass" });
      for (const { op, item } of ops) {
        // a word of this copy inside a credit is marked as one
        const credit = op !== "-" && occ.credits.find(([s, e]) => s < item.at + item.word.length && item.at < e);
        const word = credit ? el("mark", { class: "credit", title: credit[3] + " credit to " + credit[2] }, item.word) : item.word;
        if (op === "-" && !/\s$/.test(passage.textContent)) passage.appendChild(document.createTextNode(" "));
        if (op === "=") append(passage, [word, item.space]);
        else passage.appendChild(el("span", { class: op === "+" ? "add" : "drop", title: op === "+" ? "not in the fullest copy" : "in the fullest copy, not here" }, word, op === "-" ? " " : item.space));
      }
    } else {
      passage = el("span", { class: "pass" }, withCredits(occ.text, 0, occ.credits, ""));
    }
    nodes.push(passage);
    nodes.push(...withCredits(occ.after + (occ.cut_after ? "…" : ""), occ.text.length, occ.credits, "ctx"));
    return el("div", { class: "copy" }, nodes);
  }

  async function viewCluster(no) {
    const chunk = await PROV.load("c/" + String(Math.floor(no / overview.detail_chunk)).padStart(5, "0"));
    const c = chunk[String(no)];
    if (!c) { fail("No cluster number " + no + " in this report."); return; }
    const showDiff = !sessionStorage.getItem("prov-nodiff");
    const repIndex = c.occurrences.findIndex((o) => o.doc_id === c.representative_doc && o.text === c.representative);
    const cards = c.occurrences.map((o, i) => el("article", { class: "card" + (i === repIndex ? " rep" : ""), "data-doc": o.doc_id },
      el("h3", {}, docLink(o.doc, o.doc_id)),
      el("div", { class: "meta" }, [o.outlet, o.date, "characters " + fmt(o.start) + "–" + fmt(o.end), o.passage, i === repIndex ? "the fullest copy" : null].filter(Boolean).join(" · ")),
      copyBody(o, i === repIndex ? null : c.representative, showDiff)));
    page(
      "Cluster " + c.id,
      el("p", {}, badge(c.category), " ", plural(c.n_occurrences, "copy", "copies") + " in " + plural(c.n_docs, "document") + " of " + plural(c.n_outlets, "outlet")),
      el("p", { class: "reason" }, "Why " + c.category + ": " + c.reason),
      el("dl", { class: "kv" },
        el("dt", {}, "origin"), el("dd", {}, c.origin ? c.origin + " (confidence " + c.confidence.toFixed(2) + ")" : "unknown"),
        el("dt", {}, "evidence"), el("dd", {}, c.evidence || "none")),
      el("h2", {}, "Copies side by side"),
      el("div", { class: "legend" },
        el("span", {}, el("i", { class: "swatch", style: "background:var(--pass)" }), "the shared passage"),
        el("span", {}, el("i", { class: "swatch", style: "background:var(--add)" }), "words not in the fullest copy"),
        el("span", {}, el("i", { class: "swatch", style: "background:var(--drop)" }), "words of the fullest copy left out"),
        el("span", {}, el("mark", { class: "credit" }, "AP"), "a credit"),
        el("label", {}, el("input", { type: "checkbox", checked: showDiff, onchange: (e) => { if (e.target.checked) sessionStorage.removeItem("prov-nodiff"); else sessionStorage.setItem("prov-nodiff", "1"); viewCluster(no); } }), " show differences")),
      overview.has_texts ? null : el("p", { class: "note" }, "No text around the copies: the report was written with --no-texts."),
      c.n_occurrences > c.occurrences.length ? el("p", { class: "note" }, "Showing " + fmt(c.occurrences.length) + " of " + fmt(c.n_occurrences) + " copies (earliest first); passages.parquet lists them all.") : null,
      el("div", { class: "cards" }, cards),
    );
  }

  async function viewDoc(no) {
    const chunk = await PROV.load("d/" + String(Math.floor(no / overview.detail_chunk)).padStart(5, "0")).catch(() => ({}));
    const d = chunk[String(no)];
    if (!d) { fail("Document " + no + " has no reused passage, so the report has no page for it."); return; }
    const legend = el("div", { class: "legend" }, el("span", {}, "Passages are underlined in their cluster's colour and link to it;"), el("span", {}, el("mark", { class: "credit" }, "credits"), "are marked."));
    let body;
    if (d.text === null || d.text === undefined) {
      body = el("p", { class: "note" }, "The report was written with --no-texts: the text is not stored. Passages: ",
        ...d.passages.map(([s, e, n, id]) => el("span", {}, clusterLink(n, id), " (" + s + "–" + e + ") ")));
    } else {
      const cuts = new Set([0, d.text.length]);
      d.passages.forEach(([s, e]) => { cuts.add(s); cuts.add(e); });
      d.credits.forEach(([s, e]) => { cuts.add(s); cuts.add(e); });
      const points = [...cuts].filter((p) => p >= 0 && p <= d.text.length).sort((a, b) => a - b);
      body = el("div", { class: "doc-text" });
      let link = null;  // the open passage link: consecutive pieces of one passage share it
      for (let i = 0; i + 1 < points.length; i++) {
        const s = points[i], e = points[i + 1];
        const text = d.text.slice(s, e);
        const pass = d.passages.filter(([ps, pe]) => ps <= s && e <= pe).sort((p, q) => (p[1] - p[0]) - (q[1] - q[0]))[0];
        const credit = d.credits.find(([cs, ce]) => cs <= s && e <= ce);
        const node = credit ? el("mark", { class: "credit", title: credit[3] + " credit to " + credit[2] }, text) : document.createTextNode(text);
        if (!pass) { link = null; body.appendChild(node); continue; }
        if (!link || link.dataset.key !== pass.join("|")) {
          link = el("a", { class: "pass cat-" + pass[4], href: "#/cluster/" + pass[2], title: pass[3] + " (" + pass[4] + ")", "data-key": pass.join("|"), style: "background:" + clusterColour(pass[2]) + ";border-color:" + (pass[4] === "news" ? "#2a7d3f" : "#8a6d00") });
          body.appendChild(link);
        }
        link.appendChild(node);
      }
    }
    page(
      d.title || d.id,
      el("dl", { class: "kv" },
        el("dt", {}, "document"), el("dd", {}, d.id),
        d.outlet ? [el("dt", {}, "outlet"), el("dd", {}, d.outlet)] : null,
        d.date ? [el("dt", {}, "date"), el("dd", {}, d.date)] : null,
        d.url ? [el("dt", {}, "url"), el("dd", {}, el("a", { href: d.url, rel: "noreferrer noopener", target: "_blank" }, d.url))] : null,
        el("dt", {}, "clusters"), el("dd", {}, [...new Map(d.passages.map(([s, e, n, id, cat]) => [n, [id, cat]])).entries()].map(([n, [id, cat]]) => el("span", {}, clusterLink(n, id), " ", badge(cat), " ")))),
      el("h2", {}, "Text"), legend, body,
    );
  }

  /* ---- router ---- */
  async function route() {
    delete document.body.dataset.ready;  // set again once the view is drawn (tests wait for it)
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, query] = hash.split("?");
    const parts = path.split("/").filter(Boolean);
    const view = parts[0] || "overview";
    document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("current", a.dataset.view === (view === "cluster" ? "clusters" : view)));
    try {
      if (!overview) overview = await PROV.load("overview");
      if (view === "overview") viewOverview();
      else if (view === "shares") viewShares();
      else if (view === "time") viewTime();
      else if (view === "graph") await viewGraph();
      else if (view === "clusters") await viewClusters(query);
      else if (view === "cluster") await viewCluster(parseInt(parts[1], 10));
      else if (view === "doc") await viewDoc(parseInt(parts[1], 10));
      else fail("No such view: " + hash);
      window.scrollTo(0, 0);
      document.body.dataset.ready = view;
    } catch (err) {
      fail(err);
    }
  }
  window.addEventListener("hashchange", route);
  route();
})();
