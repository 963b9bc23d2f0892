/*
 * Variable-time ristretto255 arithmetic for *verifying* public proofs (vartime.py).
 *
 * libsodium offers single scalar multiplications and additions that each decode their
 * inputs and encode their output (an inverse square root per point, every time) and no
 * multi-scalar multiplication. A verifier recomputes commitments of the form
 * v*G - c*A (+ k*G), so it pays two or three full multiplications and as many
 * encode/decode round trips per commitment. This file keeps points decoded (extended
 * twisted-Edwards coordinates) and computes each such sum with one shared chain of
 * doublings (Straus' method over signed sliding windows).
 *
 * It is NOT constant time: the scalars' bits steer the computation. Use it only on public
 * data (proof challenges and responses, ciphertexts, keys, public weights); every secret
 * (nonces, keys, shares) stays with libsodium. Encoding and decoding follow RFC 9496 §4.3.
 *
 * Field elements: five 51-bit limbs, products in unsigned __int128 (GCC, Clang).
 * A decoded point is 160 bytes: X, Y, Z, T as five uint64 limbs each.
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t fe[5];
typedef unsigned __int128 u128;

typedef struct {
    fe X, Y, Z, T;
} point;

/* The sum's second operand, prepared: (Y-X, Y+X, 2Z, 2dT). */
typedef struct {
    fe YmX, YpX, Z2, T2d;
} cached;

static const uint64_t MASK51 = (((uint64_t)1) << 51) - 1;

static fe FE_D, FE_D2, FE_SQRT_M1, FE_INVSQRT_A_MINUS_D;
static int initialised = 0;

static void fe_copy(fe h, const fe f) { memcpy(h, f, sizeof(fe)); }

static void fe_zero(fe h) { memset(h, 0, sizeof(fe)); }

static void fe_one(fe h) {
    fe_zero(h);
    h[0] = 1;
}

static void fe_carry(fe h) {
    uint64_t c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
    c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
    c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
    c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
    c = h[4] >> 51; h[4] &= MASK51; h[0] += c * 19;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_add(fe h, const fe f, const fe g) {
    for (int i = 0; i < 5; i++) h[i] = f[i] + g[i];
    fe_carry(h);
}

/* f - g + 4p, so that no limb goes below zero for carried inputs (limbs < 2^52). */
static void fe_sub(fe h, const fe f, const fe g) {
    h[0] = f[0] + 0x1FFFFFFFFFFFB4ULL - g[0];
    h[1] = f[1] + 0x1FFFFFFFFFFFFCULL - g[1];
    h[2] = f[2] + 0x1FFFFFFFFFFFFCULL - g[2];
    h[3] = f[3] + 0x1FFFFFFFFFFFFCULL - g[3];
    h[4] = f[4] + 0x1FFFFFFFFFFFFCULL - g[4];
    fe_carry(h);
}

static void fe_neg(fe h, const fe f) {
    fe z;
    fe_zero(z);
    fe_sub(h, z, f);
}

static void fe_mul(fe h, const fe f, const fe g) {
    const uint64_t g1_19 = g[1] * 19, g2_19 = g[2] * 19, g3_19 = g[3] * 19, g4_19 = g[4] * 19;
    u128 r0 = (u128)f[0] * g[0] + (u128)f[1] * g4_19 + (u128)f[2] * g3_19 +
              (u128)f[3] * g2_19 + (u128)f[4] * g1_19;
    u128 r1 = (u128)f[0] * g[1] + (u128)f[1] * g[0] + (u128)f[2] * g4_19 +
              (u128)f[3] * g3_19 + (u128)f[4] * g2_19;
    u128 r2 = (u128)f[0] * g[2] + (u128)f[1] * g[1] + (u128)f[2] * g[0] +
              (u128)f[3] * g4_19 + (u128)f[4] * g3_19;
    u128 r3 = (u128)f[0] * g[3] + (u128)f[1] * g[2] + (u128)f[2] * g[1] +
              (u128)f[3] * g[0] + (u128)f[4] * g4_19;
    u128 r4 = (u128)f[0] * g[4] + (u128)f[1] * g[3] + (u128)f[2] * g[2] +
              (u128)f[3] * g[1] + (u128)f[4] * g[0];
    uint64_t c;
    c = (uint64_t)(r0 >> 51); r1 += c; h[0] = (uint64_t)r0 & MASK51;
    c = (uint64_t)(r1 >> 51); r2 += c; h[1] = (uint64_t)r1 & MASK51;
    c = (uint64_t)(r2 >> 51); r3 += c; h[2] = (uint64_t)r2 & MASK51;
    c = (uint64_t)(r3 >> 51); r4 += c; h[3] = (uint64_t)r3 & MASK51;
    c = (uint64_t)(r4 >> 51); h[4] = (uint64_t)r4 & MASK51;
    h[0] += c * 19;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

/* Additions and subtractions without carrying, for the point formulas' hot paths: fe_mul
 * and fe_sq accept limbs below 2^55, and each formula below keeps to that (noted there). */
static inline void fe_add_nc(fe h, const fe f, const fe g) {
    for (int i = 0; i < 5; i++) h[i] = f[i] + g[i];
}

/* f - g + 4p; needs g's limbs below 2^53 - 76. */
static inline void fe_sub_nc(fe h, const fe f, const fe g) {
    h[0] = f[0] + 0x1FFFFFFFFFFFB4ULL - g[0];
    h[1] = f[1] + 0x1FFFFFFFFFFFFCULL - g[1];
    h[2] = f[2] + 0x1FFFFFFFFFFFFCULL - g[2];
    h[3] = f[3] + 0x1FFFFFFFFFFFFCULL - g[3];
    h[4] = f[4] + 0x1FFFFFFFFFFFFCULL - g[4];
}

static void fe_sq(fe h, const fe f) {
    const uint64_t f0_2 = f[0] * 2, f1_2 = f[1] * 2, f2_2 = f[2] * 2, f3_2 = f[3] * 2;
    const uint64_t f3_19 = f[3] * 19, f4_19 = f[4] * 19;
    u128 r0 = (u128)f[0] * f[0] + (u128)f1_2 * f4_19 + (u128)f2_2 * f3_19;
    u128 r1 = (u128)f0_2 * f[1] + (u128)f2_2 * f4_19 + (u128)f[3] * f3_19;
    u128 r2 = (u128)f0_2 * f[2] + (u128)f[1] * f[1] + (u128)f3_2 * f4_19;
    u128 r3 = (u128)f0_2 * f[3] + (u128)f1_2 * f[2] + (u128)f[4] * f4_19;
    u128 r4 = (u128)f0_2 * f[4] + (u128)f1_2 * f[3] + (u128)f[2] * f[2];
    uint64_t c;
    c = (uint64_t)(r0 >> 51); r1 += c; h[0] = (uint64_t)r0 & MASK51;
    c = (uint64_t)(r1 >> 51); r2 += c; h[1] = (uint64_t)r1 & MASK51;
    c = (uint64_t)(r2 >> 51); r3 += c; h[2] = (uint64_t)r2 & MASK51;
    c = (uint64_t)(r3 >> 51); r4 += c; h[3] = (uint64_t)r3 & MASK51;
    c = (uint64_t)(r4 >> 51); h[4] = (uint64_t)r4 & MASK51;
    h[0] += c * 19;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_sqn(fe h, const fe f, int n) {
    fe_sq(h, f);
    for (int i = 1; i < n; i++) fe_sq(h, h);
}

/* The unique representative in [0, p), as 32 little-endian bytes. */
static void fe_tobytes(uint8_t s[32], const fe f) {
    fe h;
    fe_copy(h, f);
    fe_carry(h);
    fe_carry(h);
    /* Now h < 2^255 + small; subtract p once if h >= p. */
    uint64_t q = (h[0] + 19) >> 51;
    q = (h[1] + q) >> 51;
    q = (h[2] + q) >> 51;
    q = (h[3] + q) >> 51;
    q = (h[4] + q) >> 51;
    h[0] += 19 * q;
    uint64_t c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
    c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
    c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
    c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
    h[4] &= MASK51;
    uint64_t w0 = h[0] | (h[1] << 51);
    uint64_t w1 = (h[1] >> 13) | (h[2] << 38);
    uint64_t w2 = (h[2] >> 26) | (h[3] << 25);
    uint64_t w3 = (h[3] >> 39) | (h[4] << 12);
    for (int i = 0; i < 8; i++) {
        s[i] = (uint8_t)(w0 >> (8 * i));
        s[8 + i] = (uint8_t)(w1 >> (8 * i));
        s[16 + i] = (uint8_t)(w2 >> (8 * i));
        s[24 + i] = (uint8_t)(w3 >> (8 * i));
    }
}

/* Reads 255 bits (the top bit is ignored; callers check canonicity themselves). */
static void fe_frombytes(fe h, const uint8_t s[32]) {
    uint64_t w[4];
    for (int k = 0; k < 4; k++) {
        w[k] = 0;
        for (int i = 7; i >= 0; i--) w[k] = (w[k] << 8) | s[8 * k + i];
    }
    h[0] = w[0] & MASK51;
    h[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
    h[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
    h[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
    h[4] = (w[3] >> 12) & MASK51;
}

static int fe_is_negative(const fe f) {
    uint8_t s[32];
    fe_tobytes(s, f);
    return s[0] & 1;
}

static int fe_is_zero(const fe f) {
    uint8_t s[32];
    fe_tobytes(s, f);
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= s[i];
    return acc == 0;
}

static int fe_equal(const fe f, const fe g) {
    uint8_t a[32], b[32];
    fe_tobytes(a, f);
    fe_tobytes(b, g);
    return memcmp(a, b, 32) == 0;
}

static void fe_abs(fe h, const fe f) {
    if (fe_is_negative(f)) fe_neg(h, f);
    else fe_copy(h, f);
}

/* z^((p-5)/8) = z^(2^252 - 3). */
static void fe_pow22523(fe out, const fe z) {
    fe t0, t1, t2;
    fe_sq(t0, z);             /* z^2 */
    fe_sqn(t1, t0, 2);        /* z^8 */
    fe_mul(t1, z, t1);        /* z^9 */
    fe_mul(t0, t0, t1);       /* z^11 */
    fe_sq(t0, t0);            /* z^22 */
    fe_mul(t0, t1, t0);       /* z^(2^5 - 1) */
    fe_sqn(t1, t0, 5);
    fe_mul(t0, t1, t0);       /* z^(2^10 - 1) */
    fe_sqn(t1, t0, 10);
    fe_mul(t1, t1, t0);       /* z^(2^20 - 1) */
    fe_sqn(t2, t1, 20);
    fe_mul(t1, t2, t1);       /* z^(2^40 - 1) */
    fe_sqn(t1, t1, 10);
    fe_mul(t0, t1, t0);       /* z^(2^50 - 1) */
    fe_sqn(t1, t0, 50);
    fe_mul(t1, t1, t0);       /* z^(2^100 - 1) */
    fe_sqn(t2, t1, 100);
    fe_mul(t1, t2, t1);       /* z^(2^200 - 1) */
    fe_sqn(t1, t1, 50);
    fe_mul(t0, t1, t0);       /* z^(2^250 - 1) */
    fe_sqn(t0, t0, 2);        /* z^(2^252 - 4) */
    fe_mul(out, t0, z);       /* z^(2^252 - 3) */
}

/* RFC 9496 SQRT_RATIO_M1: returns whether u/v was square; r = the non-negative root. */
static int sqrt_ratio_m1(fe r, const fe u, const fe v) {
    fe v3, v7, t, check, neg_u, neg_u_i, r_prime;
    fe_sq(v3, v);
    fe_mul(v3, v3, v);        /* v^3 */
    fe_sq(v7, v3);
    fe_mul(v7, v7, v);        /* v^7 */
    fe_mul(t, u, v7);
    fe_pow22523(t, t);        /* (u v^7)^((p-5)/8) */
    fe_mul(t, t, v3);
    fe_mul(r, t, u);          /* u v^3 (u v^7)^((p-5)/8) */
    fe_sq(check, r);
    fe_mul(check, check, v);
    fe_neg(neg_u, u);
    fe_mul(neg_u_i, neg_u, FE_SQRT_M1);
    int correct = fe_equal(check, u);
    int flipped = fe_equal(check, neg_u);
    int flipped_i = fe_equal(check, neg_u_i);
    if (flipped || flipped_i) {
        fe_mul(r_prime, r, FE_SQRT_M1);
        fe_copy(r, r_prime);
    }
    fe_abs(r, r);
    return correct || flipped;
}

static void point_identity(point *p) {
    fe_zero(p->X);
    fe_one(p->Y);
    fe_one(p->Z);
    fe_zero(p->T);
}

/* RFC 9496 §4.3.1. Returns 0 and the point, or -1 for an invalid or non-canonical encoding. */
static int point_decode(point *p, const uint8_t s_bytes[32]) {
    fe s, ss, u1, u2, u2_sqr, v, t, invsqrt, den_x, den_y, one;
    uint8_t check[32];
    if (s_bytes[31] & 0x80) return -1;
    fe_frombytes(s, s_bytes);
    fe_tobytes(check, s);
    if (memcmp(check, s_bytes, 32) != 0) return -1; /* not reduced modulo p */
    if (check[0] & 1) return -1;                    /* negative s */
    fe_one(one);
    fe_sq(ss, s);
    fe_sub(u1, one, ss);
    fe_add(u2, one, ss);
    fe_sq(u2_sqr, u2);
    fe_sq(t, u1);
    fe_mul(t, t, FE_D);
    fe_neg(t, t);
    fe_sub(v, t, u2_sqr);             /* -(D u1^2) - u2^2 */
    fe_mul(t, v, u2_sqr);
    int was_square = sqrt_ratio_m1(invsqrt, one, t);
    fe_mul(den_x, invsqrt, u2);
    fe_mul(den_y, invsqrt, den_x);
    fe_mul(den_y, den_y, v);
    fe_add(t, s, s);
    fe_mul(t, t, den_x);
    fe_abs(p->X, t);
    fe_mul(p->Y, u1, den_y);
    fe_one(p->Z);
    fe_mul(p->T, p->X, p->Y);
    if (!was_square || fe_is_negative(p->T) || fe_is_zero(p->Y)) return -1;
    return 0;
}

/* RFC 9496 §4.3.2. */
static void point_encode(uint8_t out[32], const point *p) {
    fe u1, u2, t, invsqrt, den1, den2, z_inv, ix0, iy0, enchanted, x, y, den_inv, one;
    fe_add(t, p->Z, p->Y);
    fe_sub(u1, p->Z, p->Y);
    fe_mul(u1, t, u1);                /* (Z + Y)(Z - Y) */
    fe_mul(u2, p->X, p->Y);
    fe_sq(t, u2);
    fe_mul(t, t, u1);
    fe_one(one);
    sqrt_ratio_m1(invsqrt, one, t);
    fe_mul(den1, invsqrt, u1);
    fe_mul(den2, invsqrt, u2);
    fe_mul(z_inv, den1, den2);
    fe_mul(z_inv, z_inv, p->T);
    fe_mul(ix0, p->X, FE_SQRT_M1);
    fe_mul(iy0, p->Y, FE_SQRT_M1);
    fe_mul(enchanted, den1, FE_INVSQRT_A_MINUS_D);
    fe_mul(t, p->T, z_inv);
    if (fe_is_negative(t)) {
        fe_copy(x, iy0);
        fe_copy(y, ix0);
        fe_copy(den_inv, enchanted);
    } else {
        fe_copy(x, p->X);
        fe_copy(y, p->Y);
        fe_copy(den_inv, den2);
    }
    fe_mul(t, x, z_inv);
    if (fe_is_negative(t)) fe_neg(y, y);
    fe_sub(t, p->Z, y);
    fe_mul(t, den_inv, t);
    fe_abs(t, t);
    fe_tobytes(out, t);
}

static void to_cached(cached *c, const point *p) {
    fe_sub(c->YmX, p->Y, p->X);
    fe_add(c->YpX, p->Y, p->X);
    fe_add(c->Z2, p->Z, p->Z);
    fe_mul(c->T2d, p->T, FE_D2);
}

/* r = p + q (or p - q when negate): the unified formulas for a = -1, complete here. */
static void point_add_cached(point *r, const point *p, const cached *q, int negate) {
    /* Every input limb is a product's (< 2^51 + 2^13), so sums and differences below stay
     * under 2^54 and can go into products uncarried. */
    fe a, b, c, d, e, f, g, h;
    fe_sub_nc(a, p->Y, p->X);
    fe_add_nc(b, p->Y, p->X);
    fe_mul(a, a, negate ? q->YpX : q->YmX);
    fe_mul(b, b, negate ? q->YmX : q->YpX);
    fe_mul(c, p->T, q->T2d);
    fe_mul(d, p->Z, q->Z2);
    fe_sub_nc(e, b, a);
    fe_add_nc(h, b, a);
    if (negate) {
        fe_add_nc(f, d, c);
        fe_sub_nc(g, d, c);
    } else {
        fe_sub_nc(f, d, c);
        fe_add_nc(g, d, c);
    }
    fe_mul(r->X, e, f);
    fe_mul(r->Y, g, h);
    fe_mul(r->Z, f, g);
    fe_mul(r->T, e, h);
}

/* r = 2p; T is computed only when the next step is an addition (doublings ignore T). */
static void point_double(point *r, const point *p, int with_t) {
    /* Uncarried: squares are < 2^51 + 2^13; c < 2^52; e - a < 2^53.2 and then (e - a) - b
     * < 2^54.2; g < 2^53.2, f = g - c < 2^54.2; h = 4p - (a + b) < 2^53. All below 2^55. */
    fe a, b, c, e, g, f, h, t, zero;
    fe_sq(a, p->X);
    fe_sq(b, p->Y);
    fe_sq(c, p->Z);
    fe_add_nc(c, c, c);
    fe_add_nc(t, p->X, p->Y);
    fe_sq(e, t);
    fe_sub_nc(e, e, a);
    fe_sub_nc(e, e, b);               /* 2XY */
    fe_sub_nc(g, b, a);               /* -A + B */
    fe_sub_nc(f, g, c);
    fe_add_nc(h, a, b);
    fe_zero(zero);
    fe_sub_nc(h, zero, h);            /* -A - B */
    fe_mul(r->X, e, f);
    fe_mul(r->Y, g, h);
    fe_mul(r->Z, f, g);
    if (with_t) fe_mul(r->T, e, h);
}

/* Signed sliding-window digits of a 253-bit scalar: odd values in [-15, 15] or 0. */
static void slide(int8_t r[256], const uint8_t a[32]) {
    for (int i = 0; i < 256; i++) r[i] = (int8_t)((a[i >> 3] >> (i & 7)) & 1);
    for (int i = 0; i < 256; i++) {
        if (!r[i]) continue;
        for (int b = 1; b <= 6 && i + b < 256; b++) {
            if (!r[i + b]) continue;
            int shifted = r[i + b] * (1 << b);
            if (r[i] + shifted <= 15) {
                r[i] = (int8_t)(r[i] + shifted);
                r[i + b] = 0;
            } else if (r[i] - shifted >= -15) {
                r[i] = (int8_t)(r[i] - shifted);
                for (int k = i + b; k < 256; k++) {
                    if (!r[k]) {
                        r[k] = 1;
                        break;
                    }
                    r[k] = 0;
                }
            } else {
                break;
            }
        }
    }
}

static void load_point(point *p, const uint8_t in[160]) {
    memcpy(p, in, sizeof(point));
}

static void store_point(uint8_t out[160], const point *p) {
    memcpy(out, p, sizeof(point));
}

/* ---- the exported functions (ctypes), all on public data ---- */

int smartseoul_vartime_init(const uint8_t d[32], const uint8_t sqrt_m1[32],
                            const uint8_t invsqrt_a_minus_d[32]) {
    if (sizeof(point) != 160) return -1;
    fe_frombytes(FE_D, d);
    fe_add(FE_D2, FE_D, FE_D);
    fe_frombytes(FE_SQRT_M1, sqrt_m1);
    fe_frombytes(FE_INVSQRT_A_MINUS_D, invsqrt_a_minus_d);
    initialised = 1;
    return 0;
}

int smartseoul_vartime_decode(uint8_t out[160], const uint8_t in[32]) {
    point p;
    if (!initialised || point_decode(&p, in) != 0) return -1;
    store_point(out, &p);
    return 0;
}

void smartseoul_vartime_encode(uint8_t out[32], const uint8_t in[160]) {
    point p;
    load_point(&p, in);
    point_encode(out, &p);
}

void smartseoul_vartime_add(uint8_t out[160], const uint8_t a[160], const uint8_t b[160]) {
    point p, q, r;
    cached c;
    load_point(&p, a);
    load_point(&q, b);
    to_cached(&c, &q);
    point_add_cached(&r, &p, &c, 0);
    store_point(out, &r);
}

#define MAX_TERMS 32

/*
 * out = sum of (negate[i] ? -1 : 1) * scalar[i] * point[i], for n <= MAX_TERMS terms;
 * scalars are 32 little-endian bytes below 2^253. Writes the decoded sum to out_point
 * (when not NULL) and its encoding to out_encoding (when not NULL). Returns -1 when n is
 * out of range or a scalar is too large.
 */
int smartseoul_vartime_sum(size_t n, const uint8_t *scalars, const uint8_t *negate,
                           const uint8_t *points, uint8_t *out_point, uint8_t *out_encoding) {
    /* On the stack (48 KB), not static: ctypes releases the GIL, so threads may call at once. */
    int8_t digits[MAX_TERMS][256];
    cached tables[MAX_TERMS][8];
    if (n > MAX_TERMS) return -1;
    int top = -1;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = scalars + 32 * i;
        if (s[31] & 0xE0) return -1;
        slide(digits[i], s);
        for (int k = 255; k > top; k--) {
            if (digits[i][k]) {
                top = k;
                break;
            }
        }
        /* Odd multiples P, 3P, …, 15P. */
        point p, twice, odd;
        load_point(&p, points + 160 * i);
        to_cached(&tables[i][0], &p);
        point_double(&twice, &p, 1);
        odd = p;
        cached twice_cached;
        to_cached(&twice_cached, &twice);
        for (int k = 1; k < 8; k++) {
            point_add_cached(&odd, &odd, &twice_cached, 0);
            to_cached(&tables[i][k], &odd);
        }
    }
    point acc;
    point_identity(&acc);
    for (int k = top; k >= 0; k--) {
        int adds = 0;
        for (size_t i = 0; i < n; i++) adds |= digits[i][k];
        /* T is needed by the next addition and by the final encoding. */
        if (k != top) point_double(&acc, &acc, adds != 0 || k == 0);
        if (!adds) continue;
        for (size_t i = 0; i < n; i++) {
            int digit = digits[i][k];
            if (!digit) continue;
            int negative = (digit < 0) ^ (negate[i] != 0);
            int index = (digit < 0 ? -digit : digit) >> 1;
            point_add_cached(&acc, &acc, &tables[i][index], negative);
        }
    }
    if (out_point) store_point(out_point, &acc);
    if (out_encoding) point_encode(out_encoding, &acc);
    return 0;
}
