package io.hactl.sync.conntrack;

/** SCTP tracking state (CTA_PROTOINFO_SCTP): state and the verification tags of each direction. */
public record SctpInfo(int state, long vtagOrig, long vtagReply) implements ProtoInfo {
    public SctpInfo {
        if (state < 0 || state > 0xff) {
            throw new IllegalArgumentException("SCTP state " + state + " is not 0..255");
        }
        Values.checkU32("vtagOrig", vtagOrig);
        Values.checkU32("vtagReply", vtagReply);
    }
}
