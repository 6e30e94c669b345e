package io.hactl.sync.netlink;

import io.hactl.sync.ctnetlink.Ctnl;

import java.nio.ByteBuffer;

/**
 * The header of one netlink message inside a received datagram, with where it lies.
 *
 * @param offset start of the message (its nlmsghdr) in the datagram buffer
 */
public record NlMsg(int offset, int length, int type, int flags, int seq, int pid) {

    /** Offset of the first attribute of an nfnetlink message (after nlmsghdr and nfgenmsg). */
    public int attrStart() {
        return offset + Ctnl.NLMSG_HDRLEN + Ctnl.NFGENMSG_LEN;
    }

    public int end() {
        return offset + length;
    }

    /** The ctnetlink message type (low byte) when the subsystem is ctnetlink. */
    public int ctType() {
        return type & 0xff;
    }

    public boolean isCtnetlink() {
        return (type >>> 8) == Ctnl.NFNL_SUBSYS_CTNETLINK;
    }

    /** For NLMSG_ERROR: the errno (positive; 0 for an ACK). */
    public int errno(ByteBuffer buf) {
        return -buf.getInt(offset + Ctnl.NLMSG_HDRLEN);
    }

    /**
     * Reads the header of the message at {@code offset}; throws when it does not fit in the
     * datagram, since a bad length makes everything after it unreadable.
     */
    public static NlMsg read(ByteBuffer buf, int offset) throws DecodeException {
        int remaining = buf.limit() - offset;
        if (remaining < Ctnl.NLMSG_HDRLEN) {
            throw new DecodeException("netlink: " + remaining + " trailing bytes, too short for nlmsghdr");
        }
        int len = buf.getInt(offset);
        if (len < Ctnl.NLMSG_HDRLEN || len > remaining) {
            throw new DecodeException("netlink: nlmsg_len " + Integer.toUnsignedString(len) + " at offset "
                    + offset + " outside 16.." + remaining);
        }
        NlMsg m = new NlMsg(offset, len, Short.toUnsignedInt(buf.getShort(offset + 4)),
                Short.toUnsignedInt(buf.getShort(offset + 6)), buf.getInt(offset + 8), buf.getInt(offset + 12));
        if (m.type == Ctnl.NLMSG_ERROR && len < Ctnl.NLMSG_HDRLEN + 4) {
            throw new DecodeException("netlink: NLMSG_ERROR of " + len + " bytes lacks its error code");
        }
        if (m.type >= 0x100 && len < Ctnl.NLMSG_HDRLEN + Ctnl.NFGENMSG_LEN) {
            throw new DecodeException("netlink: nfnetlink message of " + len + " bytes lacks nfgenmsg");
        }
        return m;
    }

    /** Offset of the message after this one (aligned). */
    public int next() {
        return offset + Ctnl.align(length);
    }
}
