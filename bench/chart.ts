// A log-log line chart as SVG, for docs/scaling.svg: rows on x, seconds on y, one line per series, and
// a dashed line of slope 1 through the first point of the first series (what linear growth looks like).
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

const width = 640;
const height = 400;
const margin = { left: 70, right: 170, top: 30, bottom: 50 };

export function logLogChart(title: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points);
  const [xMin, xMax] = decades(all.map((p) => p.x));
  const [yMin, yMax] = decades(all.map((p) => p.y));
  const x = (v: number) => margin.left + ((Math.log10(v) - xMin) / (xMax - xMin)) * (width - margin.left - margin.right);
  const y = (v: number) => height - margin.bottom - ((Math.log10(v) - yMin) / (yMax - yMin)) * (height - margin.top - margin.bottom);
  const parts: string[] = [];
  for (let d = xMin; d <= xMax; d++) {
    parts.push(`<line x1="${x(10 ** d)}" y1="${margin.top}" x2="${x(10 ** d)}" y2="${height - margin.bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(10 ** d)}" y="${height - margin.bottom + 18}" text-anchor="middle">${rowsLabel(10 ** d)}</text>`);
  }
  for (let d = yMin; d <= yMax; d++) {
    parts.push(`<line x1="${margin.left}" y1="${y(10 ** d)}" x2="${width - margin.right}" y2="${y(10 ** d)}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(10 ** d) + 4}" text-anchor="end">${10 ** d >= 1 ? 10 ** d : (10 ** d).toPrecision(1)} s</text>`);
  }
  const first = series[0]?.points[0];
  if (first !== undefined) {
    const last = 10 ** xMax;
    parts.push(`<line x1="${x(first.x)}" y1="${y(first.y)}" x2="${x(last)}" y2="${y((first.y * last) / first.x)}" stroke="#999" stroke-dasharray="4 4"/>`);
  }
  series.forEach((s, index) => {
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of s.points) parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const legendY = margin.top + 20 + index * 20;
    parts.push(`<line x1="${width - margin.right + 15}" y1="${legendY - 4}" x2="${width - margin.right + 35}" y2="${legendY - 4}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - margin.right + 40}" y="${legendY}">${s.name}</text>`);
  });
  const legendY = margin.top + 20 + series.length * 20;
  parts.push(`<line x1="${width - margin.right + 15}" y1="${legendY - 4}" x2="${width - margin.right + 35}" y2="${legendY - 4}" stroke="#999" stroke-dasharray="4 4"/>`);
  parts.push(`<text x="${width - margin.right + 40}" y="${legendY}">linear</text>`);
  parts.push(`<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">rows in the change set</text>`);
  parts.push(`<text x="${margin.left}" y="18" font-weight="bold">${title}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}

function decades(values: readonly number[]): [number, number] {
  return [Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values)))];
}

function rowsLabel(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}
