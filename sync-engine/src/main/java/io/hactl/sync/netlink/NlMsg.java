package io.hactl.sync.netlink;

import java.nio.ByteBuffer;

/**
 * The header of one netlink message inside a received datagram, with where it lies.
 *
 * @param offset start of the message (its nlmsghdr) in the datagram buffer
 * @param familyHeaderLength length of the family header between nlmsghdr and the attributes
 *        (struct nfgenmsg: 4, ifinfomsg: 16, ifaddrmsg: 8, ...), as the reader of the datagram
 *        declared it; control messages (below NLMSG_MIN_TYPE) have none
 */
public record NlMsg(int offset, int length, int type, int flags, int seq, int pid, int familyHeaderLength) {

    /** Offset of the family header (right after nlmsghdr). */
    public int payloadStart() {
        return offset + Netlink.NLMSG_HDRLEN;
    }

    /** Offset of the first attribute (after nlmsghdr and the family header). */
    public int attrStart() {
        return offset + Netlink.NLMSG_HDRLEN + familyHeaderLength;
    }

    public int end() {
        return offset + length;
    }

    /** For NLMSG_ERROR: the errno (positive; 0 for an ACK). */
    public int errno(ByteBuffer buf) {
        return -buf.getInt(offset + Netlink.NLMSG_HDRLEN);
    }

    /**
     * Reads the header of the message at {@code offset} of a datagram of a family whose messages
     * carry a family header of {@code familyHeaderLength} bytes. Throws when the message does not
     * fit in the datagram (a bad length makes everything after it unreadable), or when it is too
     * short for its family header or, for NLMSG_ERROR, its error code.
     */
    public static NlMsg read(ByteBuffer buf, int offset, int familyHeaderLength) throws DecodeException {
        int remaining = buf.limit() - offset;
        if (remaining < Netlink.NLMSG_HDRLEN) {
            throw new DecodeException("netlink: " + remaining + " trailing bytes, too short for nlmsghdr");
        }
        int len = buf.getInt(offset);
        if (len < Netlink.NLMSG_HDRLEN || len > remaining) {
            throw new DecodeException("netlink: nlmsg_len " + Integer.toUnsignedString(len) + " at offset "
                    + offset + " outside 16.." + remaining);
        }
        int type = Short.toUnsignedInt(buf.getShort(offset + 4));
        boolean control = type < Netlink.NLMSG_MIN_TYPE;
        NlMsg m = new NlMsg(offset, len, type, Short.toUnsignedInt(buf.getShort(offset + 6)),
                buf.getInt(offset + 8), buf.getInt(offset + 12), control ? 0 : familyHeaderLength);
        if (type == Netlink.NLMSG_ERROR && len < Netlink.NLMSG_HDRLEN + 4) {
            throw new DecodeException("netlink: NLMSG_ERROR of " + len + " bytes lacks its error code");
        }
        if (!control && len < Netlink.NLMSG_HDRLEN + familyHeaderLength) {
            throw new DecodeException("netlink: message of type 0x" + Integer.toHexString(type) + " and " + len
                    + " bytes lacks its " + familyHeaderLength + "-byte family header");
        }
        return m;
    }

    /** Offset of the message after this one (aligned). */
    public int next() {
        return offset + Netlink.align(length);
    }
}
