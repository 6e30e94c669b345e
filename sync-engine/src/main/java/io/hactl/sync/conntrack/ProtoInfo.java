package io.hactl.sync.conntrack;

/** Per-protocol state the kernel keeps beside the tuples (CTA_PROTOINFO). */
public sealed interface ProtoInfo permits TcpInfo, SctpInfo, DccpInfo {
}
