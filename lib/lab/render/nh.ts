/**
 * Renders next hops as TF vRouter `nh --get <id>` / `nh --list` print them (`utils/nh.c`, R4.0+ layout:
 * `Id:%-9d  Type:%-13s  Fmly:%8s  Rid:%d  Ref_cnt:%-10d Vrf:%d`, then 14-space continuation lines).
 */
import type { ComputeState, NextHop } from "../model";

const NL = "\n" + " ".repeat(14);

/**
 * Renders one next-hop record (followed by the blank line the tool prints).
 *
 * @example
 * renderNh({ id: 61, type: "Tunnel", family: "AF_INET", vrf: 0, flags: ["Valid", "MPLSoGRE"], refCnt: 6,
 *   oif: 0, data: [0, 5, 134, 113, 74, 192, 82, 84, 0, 142, 27, 32, 8, 0], sip: "10.169.25.20", dip: "192.168.0.204" });
 */
export function renderNh(nh: NextHop): string {
  let out =
    `Id:${String(nh.id).padEnd(9)}  Type:${nh.type.padEnd(13)}  Fmly:${nh.family.padStart(8)}  Rid:0  ` +
    `Ref_cnt:${String(nh.refCnt).padEnd(10)} Vrf:${nh.vrf}`;
  out += NL + "Flags:" + (nh.flags.length ? nh.flags.map((f) => f + ", ").join("") : "None");
  const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, "0") + " ").join("");
  if (nh.type === "Receive") {
    out += NL + `Oif:${nh.oif ?? 0}`;
  } else if (nh.type === "Encap") {
    const data = nh.data ?? [];
    out += NL + `EncapFmly:${nh.encapFamily ?? "0806"} Oif:${nh.oif ?? 0} Len:${data.length}`;
    out += NL + "Encap Data: " + hex(data);
  } else if (nh.type === "Tunnel") {
    const data = nh.data ?? [];
    out += NL + `Oif:${nh.oif ?? 0} Len:${data.length} Data:` + hex(data);
    out += NL + `Sip:${nh.sip} Dip:${nh.dip}`;
  } else if (nh.type === "Composite") {
    out += NL + "Sub NH(label):";
    let printed = 0;
    for (const s of nh.sub ?? []) {
      if (printed > 60) {
        out += NL + " ".repeat(14);
        printed = 0;
      }
      const t = ` ${s.nh}` + (s.label >= 0 ? `(${s.label})` : "");
      out += t;
      printed += t.length;
    }
  }
  return out + "\n\n";
}

/**
 * Renders `nh --get <id>`: the record, and for a composite every component after it (as the tool
 * recurses). Returns `undefined` for an unknown id.
 *
 * @example
 * renderNhGet(model.computes.get("cent222")!, 61);
 */
export function renderNhGet(c: ComputeState, id: number): string | undefined {
  const nh = c.nhs.get(id);
  if (!nh) return undefined;
  let out = renderNh(nh);
  for (const s of nh.sub ?? []) {
    const sub = c.nhs.get(s.nh);
    if (sub) out += renderNh(sub);
  }
  return out;
}

/**
 * Renders `nh --list`: every next hop by id.
 *
 * @example
 * renderNhList(model.computes.get("cent333")!);
 */
export function renderNhList(c: ComputeState): string {
  return [...c.nhs.values()].sort((a, b) => a.id - b.id).map(renderNh).join("");
}
