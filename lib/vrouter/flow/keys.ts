/**
 * The attribute keys of a `flow -l` entry block (`Gen`, `K(nh)`, `Action`…), identified in place
 * without allocating a key string.
 */

export const K_NONE = 0;
export const K_GEN = 1;
export const K_KNH = 2;
export const K_ACTION = 3;
export const K_FLAGS = 4;
export const K_TCP = 5;
export const K_E = 6;
export const K_QOS = 7;
export const K_SNH = 8;
export const K_STATS = 9;
export const K_MIRROR = 10;
export const K_MIRROR_WORD = 11;
export const K_SPORT = 12;
export const K_TTL = 13;
export const K_UNDERLAY = 14;
export const K_HBSL = 15;
export const K_HBSR = 16;
export const K_SINFO = 17;
export const K_UNKNOWN = 99;

/**
 * Identifies an attribute key in t[s, e) without allocating; `K_UNKNOWN` for keys it does not know.
 *
 * @example
 * keyId("(Gen: 1, K(nh):5", 9, 14) === K_KNH // => true
 */
export function keyId(t: string, s: number, e: number): number {
  const len = e - s;
  switch (t.charCodeAt(s)) {
    case 71 /* G */:
      return len === 3 && t.startsWith("Gen", s) ? K_GEN : K_UNKNOWN;
    case 75 /* K */:
      return len === 5 && t.startsWith("K(nh)", s) ? K_KNH : K_UNKNOWN;
    case 65 /* A */:
      return len === 6 && t.startsWith("Action", s) ? K_ACTION : K_UNKNOWN;
    case 70 /* F */:
      return len === 5 && t.startsWith("Flags", s) ? K_FLAGS : K_UNKNOWN;
    case 84 /* T */:
      if (len === 3 && t.startsWith("TCP", s)) return K_TCP;
      return len === 3 && t.startsWith("TTL", s) ? K_TTL : K_UNKNOWN;
    case 69 /* E */:
      return len === 1 ? K_E : K_UNKNOWN;
    case 81 /* Q */:
      return len === 3 && t.startsWith("QOS", s) ? K_QOS : K_UNKNOWN;
    case 83 /* S */:
      if (len === 5) {
        if (t.startsWith("S(nh)", s)) return K_SNH;
        if (t.startsWith("Stats", s)) return K_STATS;
        if (t.startsWith("SPort", s)) return K_SPORT;
        if (t.startsWith("Sinfo", s)) return K_SINFO;
      }
      return len === 10 && t.startsWith("Statistics", s) ? K_STATS : K_UNKNOWN;
    case 77 /* M */:
      if (len === 1) return K_MIRROR;
      return len === 6 && t.startsWith("Mirror Index", s) ? K_MIRROR_WORD : K_UNKNOWN;
    case 85 /* U */:
      if (len === 10 && t.startsWith("UdpSrcPort", s)) return K_SPORT;
      return len === 15 && t.startsWith("UnderlayEcmpIdx", s) ? K_UNDERLAY : K_UNKNOWN;
    case 72 /* H */:
      if (len === 7 && t.startsWith("HbsLeft", s)) return K_HBSL;
      return len === 8 && t.startsWith("HbsRight", s) ? K_HBSR : K_UNKNOWN;
    default:
      return K_UNKNOWN;
  }
}
