package io.hactl.sync.conntrack;

/** DCCP tracking state (CTA_PROTOINFO_DCCP): state, role and handshake sequence number. */
public record DccpInfo(int state, int role, long handshakeSeq) implements ProtoInfo {
    public DccpInfo {
        if (state < 0 || state > 0xff || role < 0 || role > 0xff) {
            throw new IllegalArgumentException("DCCP state/role " + state + "/" + role + " is not 0..255");
        }
    }
}
