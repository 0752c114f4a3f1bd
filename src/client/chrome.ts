/** The page around the cells: theme switch, table-of-contents highlight. */
export function setupChrome(): void {
  // On a phone the lesson list starts folded, so the lesson itself comes first.
  const sidebar = document.querySelector<HTMLDetailsElement>(".sidebar-details");
  if (sidebar && matchMedia("(max-width: 48rem)").matches) sidebar.open = false;
  const toggle = document.querySelector<HTMLButtonElement>("#theme-toggle");
  if (toggle) {
    const themes = ["auto", "light", "dark"] as const;
    const label = () => {
      const theme = document.documentElement.dataset.theme ?? "auto";
      toggle.textContent = `Theme: ${theme}`;
      toggle.setAttribute("aria-label", `Colour theme: ${theme}. Press to change.`);
    };
    label();
    toggle.addEventListener("click", () => {
      const current = (document.documentElement.dataset.theme ?? "auto") as (typeof themes)[number];
      const next = themes[(themes.indexOf(current) + 1) % themes.length];
      if (next === "auto") delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = next;
      try {
        localStorage.setItem("lectern-theme", next);
      } catch {
        // Storage may be blocked (private mode, sandboxed embed): the switch still works for this page.
      }
      label();
    });
  }
  const links = new Map<string, HTMLAnchorElement>();
  for (const a of document.querySelectorAll<HTMLAnchorElement>(".toc a[href^='#']")) links.set(decodeURIComponent(a.hash.slice(1)), a);
  if (links.size && typeof IntersectionObserver !== "undefined") {
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        for (const a of links.values()) a.removeAttribute("aria-current");
        links.get(entry.target.id)?.setAttribute("aria-current", "location");
      }
    }, {rootMargin: "0px 0px -70% 0px"});
    for (const id of links.keys()) {
      const heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    }
  }
}
