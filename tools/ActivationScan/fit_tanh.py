#!/usr/bin/env python3
"""Where Activations' tanh/sigmoid coefficients and clamps come from (a design-time tool; CI does not run it).

  python3 tools/ActivationScan/fit_tanh.py [M N C]     # needs mpmath (pip install mpmath)
      the minimax rational tanh(x) ~ x*P(x^2)/Q(x^2), P of degree M and Q of degree N in x^2, P(0) = Q(0) = 1, for the
      absolute error on [0, C] (default 5 3 7.95): rational Remez exchange, prints the coefficients and the error
  python3 tools/ActivationScan/fit_tanh.py --clamps [LO HI]     # standard library only
      with the coefficients below (as float32), the clamps c in [LO, HI] (default 7.945 7.955) and saturation points
      s = c + k ulps (k = 0..8) where, both with and without fused multiply-adds (float32 arithmetic emulated exactly):
      x*P*(1/Q) at x = s, P and Q at c^2, is exactly 1 and one float below s is below 1; and the sigmoid's final product
      (x*P'*(1/Q') at x = 2s, the coefficients scaled as in Activations) is at most 1/2 and 1/2 + it rounds to 1.

Activations uses M, N, C = 5, 3, 7.95 (error 1.75e-8 before rounding) and the clamp pair c = 7.949, k = 3
(s = 7.9490013). tools/ActivationScan then checks the result on all 2^32 floats.
"""
import struct
import sys
from fractions import Fraction

# Activations.TanhP1..P5 and TanhQ1..Q3 (the output of the default fit), as the C# float literals.
# Decimal strings, rounded once to float32 as the C# compiler does.
P = ["1", "0.12981370108511538", "0.0029882241226292367", "9.9018917928496967e-6", "-1.4783325066313736e-8", "2.3747217329712535e-11"]
Q = ["1", "0.46314688643140035", "0.024037433013944856", "0.0002375397779880442"]


def fit(m, n, c):
    from mpmath import mp, mpf, tanh, matrix, lu_solve, findroot
    mp.dps = 40
    c = mpf(c)
    unknowns = m + n + 1  # p1..pm, q1..qn and the levelled error E

    def approx(coef, x):
        p = [mpf(1)] + list(coef[:m])
        q = [mpf(1)] + list(coef[m:m + n])
        s = x * x
        pv = mpf(0)
        for a in reversed(p):
            pv = pv * s + a
        qv = mpf(0)
        for b in reversed(q):
            qv = qv * s + b
        return x * pv / qv

    def err(coef, x):
        return tanh(x) - approx(coef, x)

    # Start: interpolation (tanh*Q - x*P = 0, linear in the coefficients) at equally spaced points.
    a = matrix(unknowns - 1, unknowns - 1)
    b = matrix(unknowns - 1, 1)
    for r in range(unknowns - 1):
        x = c * (r + 1) / (unknowns - 1)
        s, t = x * x, tanh(x)
        for j in range(1, m + 1):
            a[r, j - 1] = x * s ** j
        for j in range(1, n + 1):
            a[r, m + j - 1] = -t * s ** j
        b[r] = t - x
    sol = lu_solve(a, b)
    coef = [sol[i] for i in range(unknowns - 1)]
    e = mpf(0)
    ref = [c * (1 - mp.cos(mp.pi * (i + 1) / unknowns)) / 2 for i in range(unknowns)]
    worst = mpf(0)
    for iteration in range(40):
        def equations(*v):
            return [err(v[:unknowns - 1], ref[i]) - (-1) ** i * v[unknowns - 1] for i in range(unknowns)]
        sol = findroot(equations, list(coef) + [e], tol=mpf(10) ** -30, maxsteps=200)
        coef, e = [sol[i] for i in range(unknowns - 1)], sol[unknowns - 1]
        # Exchange: the extremum of each sign run of the error on a fine grid.
        runs = []
        for i in range(1, 4001):
            x = c * i / 4000
            ev = err(coef, x)
            if not runs or (ev >= 0) != runs[-1][0]:
                runs.append([ev >= 0, x, ev])
            elif abs(ev) > abs(runs[-1][2]):
                runs[-1][1], runs[-1][2] = x, ev
        worst = max(abs(r[2]) for r in runs)
        if len(runs) >= unknowns:
            k = max(range(len(runs) - unknowns + 1), key=lambda k: min(abs(runs[k + i][2]) for i in range(unknowns)))
            ref = [runs[k + i][1] for i in range(unknowns)]
        print("iteration %d: levelled error %s, max error %s" % (iteration, mp.nstr(e, 6), mp.nstr(worst, 6)))
        if abs(worst - abs(e)) < abs(e) * mpf("1e-4"):
            break
    print("P1..P%d: %s" % (m, ", ".join(mp.nstr(v, 17) for v in coef[:m])))
    print("Q1..Q%d: %s" % (n, ", ".join(mp.nstr(v, 17) for v in coef[m:])))
    print("max absolute error on [0, %s]: %s (1 - tanh(%s) = %s)" % (mp.nstr(c, 6), mp.nstr(worst, 6), mp.nstr(c, 6), mp.nstr(1 - tanh(c), 6)))


def f32(q):
    """Round an exact rational to the nearest float32, ties to even, as an exact Fraction."""
    # float() of a Fraction rounds correctly to double; rounding that double to float32 could round twice, so decide
    # between the two float32 neighbours exactly.
    d = struct.unpack("<f", struct.pack("<f", float(q)))[0]
    lo = Fraction(d)
    if lo == q:
        return lo
    bits = struct.unpack("<i", struct.pack("<f", d))[0]
    step = 1 if (q > lo) == (d >= 0) else -1
    other = Fraction(struct.unpack("<f", struct.pack("<i", bits + step))[0])
    if abs(other - q) < abs(lo - q):
        return other
    if abs(other - q) == abs(lo - q):  # tie: the even mantissa
        return other if (bits + step) % 2 == 0 else lo
    return lo


def ulp_step(x, k):
    bits = struct.unpack("<i", struct.pack("<f", float(x)))[0]
    return Fraction(struct.unpack("<f", struct.pack("<i", bits + k))[0])


def poly(z, coef, fused):
    """Estrin's scheme exactly as Activations evaluates it: (c0 + c1 z) + z^2((c2 + c3 z) + z^2(c4 + c5 z)), or the
    degree-3 form (c0 + c1 z) + z^2(c2 + c3 z)."""
    def mul_add(a, b, c):
        return f32(a * b + c) if fused else f32(f32(a * b) + c)
    z2 = f32(z * z)
    c = [f32(Fraction(v)) for v in coef]
    if len(c) == 6:
        p01, p23, p45 = mul_add(z, c[1], c[0]), mul_add(z, c[3], c[2]), mul_add(z, c[5], c[4])
        return mul_add(z2, mul_add(z2, p45, p23), p01)
    return mul_add(z2, mul_add(z, c[3], c[2]), mul_add(z, c[1], c[0]))


def clamps(lo, hi):
    sp = [f32(Fraction(v)) / Fraction(4) ** (j + 1) for j, v in enumerate(P)]  # SigmoidP0..P5 (exact scalings)
    sq = [f32(Fraction(v)) / Fraction(4) ** j for j, v in enumerate(Q)]        # SigmoidQ0..Q3
    hits = 0
    c = f32(lo)
    while c <= hi:
        zc = f32(c * c)
        for k in range(9):
            s, below = ulp_step(c, k), ulp_step(c, k - 1)
            ok, notes = True, []
            for fused in (True, False):
                p, q = poly(zc, P, fused), poly(zc, Q, fused)
                inv = f32(1 / q)
                if f32(f32(s * p) * inv) != 1 or f32(f32(below * p) * inv) >= 1:
                    ok = False
                    break
                sz = f32(4 * zc)
                a, b = f32(f32(2 * s) * poly(sz, sp, fused)), f32(1 / poly(sz, sq, fused))
                plus = f32(a * b + Fraction(1, 2)) if fused else f32(f32(a * b) + Fraction(1, 2))
                minus = f32(-a * b + Fraction(1, 2)) if fused else f32(f32(-a * b) + Fraction(1, 2))
                if a * b > Fraction(1, 2) or plus != 1 or minus < 0:
                    ok = False
                    break
                notes.append("sigmoid(-inf) %s %.8g" % ("fused" if fused else "unfused", float(minus)))
            if ok:
                hits += 1
                print("clamp %.9g, k = %d, saturation %.9g: %s" % (float(c), k, float(s), "; ".join(notes)))
        c = ulp_step(c, 1)
    print("%d pairs" % hits)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--clamps"]:
        clamps(Fraction(args[1]) if len(args) > 1 else Fraction("7.945"), Fraction(args[2]) if len(args) > 2 else Fraction("7.955"))
    else:
        fit(int(args[0]) if args else 5, int(args[1]) if len(args) > 1 else 3, args[2] if len(args) > 2 else "7.95")
