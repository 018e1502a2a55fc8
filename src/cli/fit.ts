/** Words filled into lines of at most `width` columns, the first after `first`, the rest after `rest`. */
export function wrap(text: string, first: string, rest: string, width = 80): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const prefix = empty ? line : `${line} `;
    if ([...prefix].length + [...word].length <= width) {
      line = prefix + word;
      empty = false;
      continue;
    }
    if (!empty) lines.push(line);
    // A word longer than a whole line (a long path) is cut, never left to overflow.
    let remaining = word;
    line = empty ? line : rest;
    while ([...line].length + [...remaining].length > width) {
      const room = Math.max(1, width - [...line].length);
      lines.push(line + [...remaining].slice(0, room).join(''));
      remaining = [...remaining].slice(room).join('');
      line = rest;
    }
    line += remaining;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** `text` cut to at most `columns` characters, an ellipsis marking the cut. */
export function cut(text: string, columns: number): string {
  const characters = [...text];
  return characters.length > columns ? `${characters.slice(0, Math.max(0, columns - 1)).join('')}…` : text;
}
