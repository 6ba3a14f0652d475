// MEGA's bridge escapes displayname with HTML entities, some of which XML does
// not know (&add; for '+', &percnt; for '%'), so a strict XML parser fails on
// such a listing. Reproduced on purpose: clients must parse leniently and take
// names from href.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '+': '&add;',
  '%': '&percnt;',
}

export function escapeDisplayName(name: string): string {
  return name.replace(/[&<>"'+%]/g, c => ENTITIES[c] ?? c)
}

/** Escaping for the parts of a listing that are ordinary XML text (hrefs). */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>]/g, c => ENTITIES[c] ?? c)
}
