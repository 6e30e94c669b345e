package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.NlMsg;
import io.hactl.sync.netlink.Rtnetlink;
import io.hactl.sync.sys.Sockets;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The rtnetlink messages {@link Addresses} exchanges with the kernel, encode and decode side by
 * side and stateless: RTM_GETLINK by name and its RTM_NEWLINK answer, RTM_NEWADDR and
 * RTM_DELADDR of one address, the RTM_GETADDR dump and its RTM_NEWADDR answers. Headers and host-order attributes are in native byte order, as the
 * kernel reads them; addresses are in network order.
 */
public final class RtnlCodec {
    private RtnlCodec() {}

    /** RTM_GETLINK for the interface called {@code name} (answered with one RTM_NEWLINK or an error). */
    public static void getLink(AttrWriter w, int seq, String name) {
        if (name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("interface name '" + name + "' is not 1..15 characters (IFNAMSIZ)");
        }
        int m = w.beginMessage(Rtnetlink.RTM_GETLINK, Netlink.NLM_F_REQUEST, seq);
        w.putStructU8(Sockets.AF_UNSPEC);  // ifi_family
        w.putStructU8(0);                  // __ifi_pad
        w.putStructU16(0);                 // ifi_type
        w.putStructU32(0);                 // ifi_index: 0, look up by IFLA_IFNAME
        w.putStructU32(0);                 // ifi_flags
        w.putStructU32(0);                 // ifi_change
        w.putString(Rtnetlink.IFLA_IFNAME, name);
        w.endMessage(m);
    }

    /**
     * RTM_NEWADDR (create, fail with EEXIST if present) or RTM_DELADDR of {@code address}/
     * {@code prefixLength} on interface {@code index}, acknowledged. IPv4 carries IFA_LOCAL and
     * IFA_ADDRESS (the same: not a point-to-point peer); IPv6 is added with IFA_F_NODAD so that
     * it is usable at once, not tentative while duplicate address detection runs.
     */
    public static void address(AttrWriter w, boolean add, int seq, int index, InetAddress address, int prefixLength) {
        byte[] raw = address.getAddress();
        boolean v6 = address instanceof Inet6Address;
        int maxPrefix = raw.length * 8;
        if (prefixLength < 0 || prefixLength > maxPrefix) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + maxPrefix
                    + " for " + address.getHostAddress());
        }
        if (index < 1) {
            throw new IllegalArgumentException("interface index " + index + " below 1");
        }
        int type = add ? Rtnetlink.RTM_NEWADDR : Rtnetlink.RTM_DELADDR;
        int flags = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK
                | (add ? Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL : 0);
        int m = w.beginMessage(type, flags, seq);
        w.putStructU8(v6 ? Sockets.AF_INET6 : Sockets.AF_INET);           // ifa_family
        w.putStructU8(prefixLength);                                       // ifa_prefixlen
        w.putStructU8(v6 && add ? Rtnetlink.IFA_F_NODAD : 0);              // ifa_flags
        w.putStructU8(Rtnetlink.RT_SCOPE_UNIVERSE);                        // ifa_scope (IPv6: the kernel derives it)
        w.putStructU32(index);                                             // ifa_index
        w.putBytes(Rtnetlink.IFA_LOCAL, raw);
        w.putBytes(Rtnetlink.IFA_ADDRESS, raw);
        if (v6 && add) {
            w.putHostU32(Rtnetlink.IFA_FLAGS, Rtnetlink.IFA_F_NODAD);
        }
        w.endMessage(m);
    }

    /** RTM_GETADDR dump of every address of {@code family} (AF_INET or AF_INET6), ended by NLMSG_DONE. */
    public static void getAddresses(AttrWriter w, int seq, int family) {
        int m = w.beginMessage(Rtnetlink.RTM_GETADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, seq);
        w.putStructU8(family);  // ifa_family
        w.putStructU8(0);       // ifa_prefixlen
        w.putStructU8(0);       // ifa_flags
        w.putStructU8(0);       // ifa_scope
        w.putStructU32(0);      // ifa_index: 0, every interface (filtered by the caller)
        w.endMessage(m);
    }

    /**
     * The address an RTM_NEWADDR message describes: IFA_LOCAL, or IFA_ADDRESS without it (IPv6
     * sends only that); IFA_FLAGS, when present, extends the 8-bit ifa_flags. Unknown attributes
     * are skipped.
     */
    public static IfAddress decodeAddress(ByteBuffer buf, NlMsg msg) throws DecodeException {
        if (msg.type() != Rtnetlink.RTM_NEWADDR) {
            throw new DecodeException("rtnetlink: message type " + msg.type() + ", expected RTM_NEWADDR");
        }
        int p = msg.payloadStart();
        int prefixLength = buf.get(p + 1) & 0xFF;         // ifa_prefixlen
        long flags = buf.get(p + 2) & 0xFF;               // ifa_flags
        int scope = buf.get(p + 3) & 0xFF;                // ifa_scope
        int index = buf.getInt(p + 4);                    // ifa_index
        AttrReader r = new AttrReader(buf, msg.attrStart(), msg.end(), "RTM_NEWADDR");
        byte[] local = null;
        byte[] address = null;
        while (r.next()) {
            switch (r.type()) {
                case Rtnetlink.IFA_LOCAL -> local = r.raw();
                case Rtnetlink.IFA_ADDRESS -> address = r.raw();
                case Rtnetlink.IFA_FLAGS -> flags = r.hostU32("IFA_FLAGS");
                default -> { }
            }
        }
        if (r.error() != null) {
            throw new DecodeException(r.error());
        }
        byte[] raw = local != null ? local : address;
        if (raw == null || (raw.length != 4 && raw.length != 16)) {
            throw new DecodeException("RTM_NEWADDR: interface index " + index + " without a 4- or 16-octet address");
        }
        try {
            return new IfAddress(index, InetAddress.getByAddress(raw), prefixLength, (int) flags, scope);
        } catch (java.net.UnknownHostException e) {
            throw new DecodeException("RTM_NEWADDR: " + raw.length + " octets refused as an address");
        }
    }

    /** The link an RTM_NEWLINK message describes; unknown attributes are skipped. */
    public static Link decodeLink(ByteBuffer buf, NlMsg msg) throws DecodeException {
        if (msg.type() != Rtnetlink.RTM_NEWLINK) {
            throw new DecodeException("rtnetlink: message type " + msg.type() + ", expected RTM_NEWLINK");
        }
        int index = buf.getInt(msg.payloadStart() + 4);   // ifi_index
        int flags = buf.getInt(msg.payloadStart() + 8);   // ifi_flags
        AttrReader r = new AttrReader(buf, msg.attrStart(), msg.end(), "RTM_NEWLINK");
        String name = null;
        byte[] mac = null;
        int operState = Rtnetlink.IF_OPER_UNKNOWN;
        while (r.next()) {
            switch (r.type()) {
                case Rtnetlink.IFLA_IFNAME -> name = r.string("IFLA_IFNAME");
                case Rtnetlink.IFLA_ADDRESS -> mac = r.raw();
                case Rtnetlink.IFLA_OPERSTATE -> operState = r.u8("IFLA_OPERSTATE");
                default -> { }
            }
        }
        if (r.error() != null) {
            throw new DecodeException(r.error());
        }
        if (name == null) {
            throw new DecodeException("RTM_NEWLINK: interface index " + index + " without IFLA_IFNAME");
        }
        if (index < 1) {
            throw new DecodeException("RTM_NEWLINK: " + name + " has interface index " + index);
        }
        return new Link(name, index, flags, operState, mac);
    }
}
