package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;

import java.nio.ByteBuffer;

/**
 * The nfnetlink family header, {@code struct nfgenmsg} (linux/netfilter/nfnetlink.h): family,
 * version and a big-endian res_id after every nlmsghdr of NETLINK_NETFILTER.
 */
public final class Nfgenmsg {
    private Nfgenmsg() {}

    /** Starts an nfnetlink message: nlmsghdr + nfgenmsg (version NFNETLINK_V0). Returns its start offset for {@link AttrWriter#endMessage}. */
    public static int begin(AttrWriter w, int type, int flags, int seq, int family, int resId) {
        return begin(w, type, flags, seq, family, Ctnl.NFNETLINK_V0, resId);
    }

    /** As above with an explicit nfgen version (ctnetlink reads version 1 on a flush as "filter by family"). */
    public static int begin(AttrWriter w, int type, int flags, int seq, int family, int version, int resId) {
        int start = w.beginMessage(type, flags, seq);
        w.putStructU8(family);                // nfgen_family
        w.putStructU8(version);               // version
        w.putStructBe16(resId);               // res_id, big-endian
        return start;
    }

    /** Reads the header of the nfnetlink message at {@code offset}; see {@link NlMsg#read}. */
    public static NlMsg read(ByteBuffer buf, int offset) throws DecodeException {
        return NlMsg.read(buf, offset, Ctnl.NFGENMSG_LEN);
    }
}
