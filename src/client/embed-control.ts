// The "Embed" control under each named cell (`id=`) of a lesson page: the two snippets a course
// page author pastes (an iframe with its auto-height listener, and the <lectern-cell> element),
// each with a Copy button.

/** The iframe snippet: its listener accepts height messages only from its own iframe. */
export function iframeSnippet(site: string, slug: string, id: string): string {
  const frame = `lectern-${slug}-${id}`;
  return `<iframe id="${frame}" src="${site}embed/${slug}/${id}.html" title="${id} (live cell from ${slug})" style="width:100%;height:20rem;border:0" loading="lazy"></iframe>
<script>
addEventListener("message", (event) => {
  const frame = document.getElementById("${frame}");
  if (!frame || event.source !== frame.contentWindow) return;
  const data = event.data;
  if (data && data.type === "lectern:height" && Number.isFinite(data.height)) frame.style.height = Math.ceil(data.height) + "px";
});
</script>`;
}

export function elementSnippet(site: string, slug: string, id: string): string {
  return `<script src="${site}embed.js"></script>
<lectern-cell src="${site}${slug}#${id}"></lectern-cell>`;
}

export function setupEmbedControls(): void {
  const slug = document.body.dataset.page;
  if (!slug) return;
  const site = new URL(slug === "index" ? "./" : "../", location.href).href;
  for (const root of document.querySelectorAll<HTMLElement>("[data-cell][data-embed]")) {
    const id = root.dataset.cell!;
    const details = document.createElement("details");
    details.className = "embed-control";
    const summary = document.createElement("summary");
    summary.textContent = "Embed";
    summary.setAttribute("aria-label", `Embed the cell ${id} in another page`);
    details.append(summary);
    // The snippets are made on first open: thirty closed controls stay two elements each.
    details.addEventListener("toggle", () => details.open && details.childElementCount === 1 && fill(details, site, slug, id));
    root.after(details);
  }
}

function fill(details: HTMLDetailsElement, site: string, slug: string, id: string): void {
  for (const [label, text] of [["Iframe (auto height)", iframeSnippet(site, slug, id)], ["Web component", elementSnippet(site, slug, id)]] as const) {
    const area = document.createElement("textarea");
    area.readOnly = true;
    area.rows = text.split("\n").length;
    area.value = text;
    area.id = `embed-${id}-${label.startsWith("I") ? "iframe" : "element"}`;
    const l = document.createElement("label");
    l.htmlFor = area.id;
    l.textContent = label;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy";
    copy.setAttribute("aria-label", `Copy the ${label.toLowerCase()} snippet`);
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        area.select();
        document.execCommand?.("copy");
      }
      copy.textContent = "Copied";
      setTimeout(() => (copy.textContent = "Copy"), 1500);
    });
    details.append(l, area, copy);
  }
}
