package io.hactl.sync.conntrack;

/**
 * TCP tracking state (CTA_PROTOINFO_TCP): the state machine position, window scale and the
 * window-tracking flags of each direction ({@code IP_CT_TCP_FLAG_*}).
 */
public record TcpInfo(int state, int wscaleOrig, int wscaleReply, int flagsOrig, int flagsReply) implements ProtoInfo {

    // enum tcp_conntrack (linux/netfilter/nf_conntrack_tcp.h)
    public static final int NONE = 0;          // TCP_CONNTRACK_NONE
    public static final int SYN_SENT = 1;      // TCP_CONNTRACK_SYN_SENT
    public static final int SYN_RECV = 2;      // TCP_CONNTRACK_SYN_RECV
    public static final int ESTABLISHED = 3;   // TCP_CONNTRACK_ESTABLISHED
    public static final int FIN_WAIT = 4;      // TCP_CONNTRACK_FIN_WAIT
    public static final int CLOSE_WAIT = 5;    // TCP_CONNTRACK_CLOSE_WAIT
    public static final int LAST_ACK = 6;      // TCP_CONNTRACK_LAST_ACK
    public static final int TIME_WAIT = 7;     // TCP_CONNTRACK_TIME_WAIT
    public static final int CLOSE = 8;         // TCP_CONNTRACK_CLOSE
    public static final int SYN_SENT2 = 9;     // TCP_CONNTRACK_SYN_SENT2 (was LISTEN)
    public static final int MAX = 10;          // TCP_CONNTRACK_MAX

    private static final String[] NAMES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
        "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

    public TcpInfo {
        if (state < 0 || state >= MAX) {
            throw new IllegalArgumentException("TCP state " + state + " is not 0.." + (MAX - 1));
        }
        for (int v : new int[] {wscaleOrig, wscaleReply, flagsOrig, flagsReply}) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException("TCP wscale/flags value " + v + " is not 0..255");
            }
        }
    }

    public static TcpInfo ofState(int state) {
        return new TcpInfo(state, 0, 0, 0, 0);
    }

    public static String stateName(int state) {
        return state >= 0 && state < NAMES.length ? NAMES[state] : "STATE" + state;
    }

    /** Parses a name such as {@code ESTABLISHED} (case-insensitive); -1 when unknown. */
    public static int stateByName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    public TcpInfo withFlags(int orig, int reply) {
        return new TcpInfo(state, wscaleOrig, wscaleReply, orig, reply);
    }
}
