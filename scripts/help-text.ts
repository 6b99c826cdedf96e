/**
 * The text of a command's help, wrapped to the width its hand-written lines
 * keep (before column 80): entries (an option or a name and its text) and
 * paragraphs with generated parts.
 */

/**
 * The words of `text` laid into lines before column 80: the first line starts with `first`,
 * the others with `indent`; a line ends only once it is longer than `least` characters.
 */
function fill(text: string, first: string, indent: string, least: number): string {
  const lines: string[] = [];
  let line = first;
  for (const w of text.split(/\s+/).filter((x) => x !== '')) {
    if (line.trim() !== '' && line.length > least && line.length + 1 + w.length > 79) {
      lines.push(line);
      line = indent;
    }
    line = line === '' ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * `head` followed by `text`, the text starting at column `column` (0-based: the
 * column of the help's other entries, or past a head longer than that) and
 * wrapped before 80, its further lines indented to `column`.
 */
export function helpEntry(head: string, text: string, column: number): string {
  return fill(text, head.padEnd(column - 1), ' '.repeat(column - 1), column);
}

/** The paragraph `text` (its line breaks and runs of spaces as single spaces) wrapped before column 80. */
export function helpParagraph(text: string): string {
  return fill(text, '', '', 0);
}
