/* Search results quote the text of the pages, where a formula is still its TeX source
   ("given \(\tau\)"). Before Sphinx's search turns a page into a summary, write each inline
   formula in plain text ("given τ"), keep only the number of a display equation, and leave
   out code and its output (a summary quotes the prose). */
(() => {
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ",
    sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
    Gamma: "Γ", Delta: "Δ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ", Omega: "Ω",
    mid: "|", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", sim: "~",
    approx: "≈", propto: "∝", cdot: "·", times: "×", pm: "±", infty: "∞", to: "→",
    in: "∈", sum: "Σ", prod: "Π", int: "∫", partial: "∂", nabla: "∇", sqrt: "√",
    ldots: "…", dots: "…", lVert: "‖", rVert: "‖", lvert: "|", rvert: "|",
    log: "log", exp: "exp", min: "min", max: "max", det: "det",
  };
  const plain = (tex) => tex
    .replace(/^\s*\\\(|\\\)\s*$/g, "")
    .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
    .replace(/\\(?:hat|widehat)\s*(\\[A-Za-z]+|\{[^{}]*\}|[A-Za-z])/g, (_, x) => plain(x) + "\u0302")
    .replace(/\\(?:bar|overline)\s*(\\[A-Za-z]+|\{[^{}]*\}|[A-Za-z])/g, (_, x) => plain(x) + "\u0304")
    .replace(/\\([A-Za-z]+)/g, (_, name) => SYMBOLS[name] ?? "")
    .replace(/\\[,;:! ]/g, " ")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();

  const patch = () => {
    if (typeof Search === "undefined" || Search.htmlToText.mathPlain) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll("div.cell_input, div.cell_output, pre").forEach((el) => el.remove());
      doc.querySelectorAll("div.math").forEach((el) => {
        const number = el.querySelector(".eqno");
        el.textContent = number ? ` ${number.textContent.replace(/#\s*$/, "")} ` : " ";
      });
      doc.querySelectorAll("span.math").forEach((el) => {
        el.textContent = plain(el.textContent);
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.htmlToText.mathPlain = true;
  };
  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
