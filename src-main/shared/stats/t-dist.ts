// Student's t distribution for any real degrees of freedom ν > 0 (Welch's test gives fractional ones):
// its CDF through the regularized incomplete beta function, evaluated by its continued fraction
// (modified Lentz), and its quantile by a bracketed Newton iteration. The tails are computed
// directly, never as 1 - something, so p-values as small as 1e-300 keep their digits.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation (g = 7, 9 terms) of Γ: ~15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// ln Γ(x) - [(x - ½) ln x - x + ½ ln 2π], the remainder of Stirling's series, for x ≥ 10: the terms
// B₂ₖ / (2k (2k-1) x^(2k-1)) up to k = 6, whose first left-out term is below 2e-14 at x = 10.
function stirlingRest(x: number): number {
  const r = 1 / (x * x);
  return (
    (1 / 12 + r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 + (r * -691) / 360360))))) / x
  );
}

/**
 * ln B(a, b) for a, b > 0. When one argument is large, ln Γ(a) + ln Γ(b) - ln Γ(a + b) would
 * subtract numbers near 1e11 (ν = 1e10) and keep only a few digits; the large arguments' Stirling
 * terms are combined by hand instead, with log1p for the ratios.
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  const s = p + q;
  if (p >= 10) {
    const rest = stirlingRest(p) + stirlingRest(q) - stirlingRest(s);
    return LOG_SQRT_2PI - 0.5 * Math.log(q) + rest + (p - 0.5) * Math.log(p / s) + q * Math.log1p(-p / s);
  }
  if (q >= 10) {
    const rest = stirlingRest(q) - stirlingRest(s);
    return logGamma(p) + rest + p - p * Math.log(s) + (q - 0.5) * Math.log1p(-p / s);
  }
  return logGamma(p) + logGamma(q) - logGamma(s);
}

// The continued fraction of I_x(a, b) (Abramowitz & Stegun 26.5.8) by the modified Lentz method,
// without the front factor; it converges fast for x < (a + 1) / (a + b + 2). When x is near 1 and a
// is large (the t distribution at large ν), its odd terms are 1 + dₖ with dₖ near -1: 1 + dₖ is then
// formed exactly from y = 1 - x, and the Lentz ratios c and d carry their distance from 1 alongside,
// so that nothing is left to subtract. Written out, 1 + d₂ₘ₊₁ =
// [a(2m+1-b) + m(3m+2-b) + (a+m)(a+b+m)y] / [(a+2m)(a+2m+1)].
function betaFraction(a: number, b: number, x: number, y: number): number {
  const tiny = 1e-300;
  const nearOne = x > 0.5;
  const guard = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  // 1 + the odd term of index 2m+1, and the term itself
  const odd = (m: number): [number, number] => {
    const den = (a + 2 * m) * (a + 2 * m + 1);
    const term = (-(a + m) * (a + b + m) * x) / den;
    const onePlus = nearOne
      ? (a * (2 * m + 1 - b) + m * (3 * m + 2 - b) + (a + m) * (a + b + m) * y) / den
      : 1 + term;
    return [onePlus, term];
  };
  let d = 1 / guard(odd(0)[0]);
  let c = 1;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    // even step: keep d - 1 and c - 1 for the odd step that follows
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    const u = even * d;
    d = 1 / guard(1 + u);
    const dm1 = -u * d;
    const cm1 = even / c;
    c = guard(1 + cm1);
    h *= d * c;
    // odd step: 1 + t·d = (1 + t) + t·(d - 1), and 1 + t/c = (1 + t) - t·(c - 1)/c
    const [onePlus, term] = odd(m);
    const cPrev = c;
    d = 1 / guard(onePlus + term * dm1);
    c = guard(onePlus - (term * cm1) / cPrev);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) return h;
  }
  return h; // not reached for the arguments the t distribution passes (ν up to 1e100)
}

/**
 * The regularized incomplete beta function I_x(a, b). y = 1 - x may be passed separately, and so may
 * ln x and ln y, so that x near 1 loses no digits: with a = 5e9 (ν = 1e10), a · ln x needs ln x to
 * full relative precision, which only the caller can give (as -log1p(t²/ν)).
 */
export function incompleteBeta(
  a: number,
  b: number,
  x: number,
  y = 1 - x,
  logX = Math.log(x),
  logY = Math.log(y),
): number {
  // x itself may underflow to 0 while ln x is finite (heavy tails at small a): the logarithms decide.
  if (logX === -Infinity) return 0;
  if (logY === -Infinity) return 1;
  const logFront = a * logX + b * logY - logBeta(a, b);
  // x < (a + 1) / (a + b + 2), asked of the smaller of x and y: the other rounds to 1 for huge a or b
  const direct = x < 0.5 ? x < (a + 1) / (a + b + 2) : y > (b + 1) / (a + b + 2);
  if (direct) return (Math.exp(logFront) * betaFraction(a, b, x, y)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(b, a, y, x)) / b;
}

// Beyond 1e100 degrees of freedom the t distribution is the normal one to double precision (they
// differ by about t⁴/(4ν)), and larger ν would overflow the continued fraction's products.
const MAX_DOF = 1e100;

// Checks ν and caps it at MAX_DOF.
function dof(nu: number): number {
  if (!(nu > 0)) throw new RangeError(`The t distribution needs degrees of freedom above 0, not ${nu}.`);
  return Math.min(nu, MAX_DOF);
}

// P(T > t) for t ≥ 0: ½ I_{ν/(ν+t²)}(ν/2, ½), with both arguments of the beta function formed
// without cancellation.
function upperTail(t: number, nu: number): number {
  if (t === 0) return 0.5;
  if (!Number.isFinite(t)) return 0;
  // ν/(ν+t²) and t²/(ν+t²) and their logarithms, written so that none overflows for t up to 1e308
  // and the logarithms keep their relative precision (see incompleteBeta).
  const r = (t / nu) * t;
  if (r > 1) {
    const inv = nu / t / t;
    const logY = -Math.log1p(inv);
    const logX = Math.log(nu) - 2 * Math.log(t) + logY;
    return 0.5 * incompleteBeta(nu / 2, 0.5, inv / (1 + inv), 1 / (1 + inv), logX, logY);
  }
  const logX = -Math.log1p(r);
  return 0.5 * incompleteBeta(nu / 2, 0.5, 1 / (1 + r), r / (1 + r), logX, Math.log(r) + logX);
}

/** The density of Student's t with ν degrees of freedom at t. */
export function tPdf(t: number, nu: number): number {
  nu = dof(nu);
  const a = Math.abs(t);
  // ln(1 + t²/ν), without overflowing t² for the huge t of heavy tails
  const log1pr =
    a > 1e100 ? 2 * Math.log(a) - Math.log(nu) + Math.log1p(nu / a / a) : Math.log1p((a / nu) * a);
  return Math.exp(-logBeta(nu / 2, 0.5) - 0.5 * Math.log(nu) - ((nu + 1) / 2) * log1pr);
}

/** P(T ≤ t) for Student's t with ν > 0 degrees of freedom (ν may be fractional). */
export function tCdf(t: number, nu: number): number {
  nu = dof(nu);
  if (Number.isNaN(t)) return NaN;
  return t < 0 ? upperTail(-t, nu) : 1 - upperTail(t, nu);
}

/** P(T > t), the upper tail, exact to many digits where tCdf would round to 1. */
export function tSf(t: number, nu: number): number {
  nu = dof(nu);
  if (Number.isNaN(t)) return NaN;
  return t < 0 ? 1 - upperTail(-t, nu) : upperTail(t, nu);
}

/** The two-sided p-value P(|T| ≥ |t|). */
export function tTwoSided(t: number, nu: number): number {
  nu = dof(nu);
  if (Number.isNaN(t)) return NaN;
  return Math.min(1, 2 * upperTail(Math.abs(t), nu));
}

// The t ≥ 0 with P(T > t) = q, for 0 < q < ½: Newton's method on ln P(T > t) - ln q, each step
// kept inside a bracket that shrinks with every evaluation (a bisection when Newton leaves it;
// geometric while the bracket spans orders of magnitude, as heavy tails at small ν do).
function upperQuantile(q: number, nu: number): number {
  const logQ = Math.log(q);
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, nu) > q) {
    lo = hi;
    hi *= 16;
    if (!Number.isFinite(hi)) return Infinity; // beyond the largest double, as at ν = 0.01, q = 1e-12
  }
  let t = lo === 0 ? 0.5 : Math.sqrt(lo) * Math.sqrt(hi);
  for (let i = 0; i < 300; i++) {
    const tail = upperTail(t, nu);
    const f = Math.log(tail) - logQ;
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    let next = t + (f * tail) / tPdf(t, nu);
    if (!(next > lo && next < hi))
      next = lo > 0 && hi / lo > 4 ? Math.sqrt(lo) * Math.sqrt(hi) : (lo + hi) / 2;
    if (Math.abs(next - t) <= 4e-16 * next || hi - lo <= 4e-16 * hi) return next;
    t = next;
  }
  return t;
}

/** The quantile (inverse CDF) of Student's t with ν > 0 degrees of freedom: the t with P(T ≤ t) = p. */
export function tQuantile(p: number, nu: number): number {
  nu = dof(nu);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`A quantile needs a probability in [0, 1], not ${p}.`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // A comparison of groups asks the same few (the 97.5 % point at each n - 1) hundreds of times.
  const key = `${p} ${nu}`;
  let q = known.get(key);
  if (q === undefined) {
    q = p < 0.5 ? -upperQuantile(p, nu) : upperQuantile(1 - p, nu);
    if (known.size >= 4096) known.clear();
    known.set(key, q);
  }
  return q;
}

const known = new Map<string, number>();
