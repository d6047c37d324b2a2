/**
 * Capture decoding for the packet walk: pcap/pcapng reading and writing, a layered decoder through
 * MPLSoGRE / MPLSoUDP / VXLAN to TCP and HTTP, a columnar frame table, a filter language and analyses.
 *
 * @example
 * import { readCapture, frameList, compileFilter } from "./lib/capture";
 * const t = await readCapture("/tmp/fabric.pcap");
 * frameList(t.select(t.indices(compileFilter("tunnel==mplsoudp")))).print();
 * @module
 */

// reading and writing
export { type CaptureRecord, type CaptureSource, type CapturedFrame, decodeRecord, readCapture, readFrames, readRecords, type ReadOptions, watchCapture } from "./read";
export { CaptureParser, type CaptureFormat, type RecordSink } from "./file/parser";
export { type AddressListing, FrameAddresses, type ListAddressOptions, listFrameAddresses, macAt } from "./addresses";
export { type FrameToWrite, PcapWriter, type PcapWriterOptions, type PcapngWriterOptions, type Timestamp, writePcap, writePcapng } from "./file/writer";
export * from "./link-types";

// decoding
export { createDecodeContext, decodeFrame, decodeInto, type DecodedFrame, type DecodedIp, type DecodeOptions, frameFromContext, LAYER_DECODERS, type LayerDecoder, type MplsLabelMap, problemText } from "./decode";
export { decodeFast, FAST_LAYERS, FastFrame } from "./decode-fast";
export * from "./layer-ids";
export * from "./context";
export * from "./registry";
export { guessMplsPayload } from "./layers/mpls-payload";
export { FRAME_COLUMNS, type FrameColumnName, type FrameColumns } from "./table/columns";
export type { FrameDicts } from "./table/dicts";
export { type FrameRow, FrameTable } from "./table/frame-table";
export { FrameTableBuilder } from "./table/builder";
export { formatIpv4, formatIpv6, formatMac, parseIpv4, tcpFlagNames } from "./format";
export { CaptureFormatError, FilterSyntaxError } from "./errors";

// building
export * as build from "./build";
export { buildFrame } from "./build";
export { type ExchangeOptions, httpExchange, scenarioFrames, type ScenarioTunnel } from "./scenario";

// filtering and analyses
export { compileFilter, filterFields, filterFrames, type FramePredicate } from "./filter";
export { frameList, frameListRows, type FrameListRow, tunnelText } from "./analyses/frame-list";
export { type Conversation, conversationKey, conversationRows, conversations } from "./analyses/conversations";
export { type HttpExchange, httpExchanges, httpExchangeTable } from "./analyses/http-exchanges";
export { ladderChart, type LadderOptions, type VegaLiteSpec } from "./analyses/ladder";
export { connectionFrames, connectionIndices, type ConnectionSpec } from "./analyses/connection";
