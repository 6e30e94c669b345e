package io.hactl.controller.vrrp.net;

import io.hactl.sync.sys.Sockets;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The socket address structures the VRRP sockets pass to the kernel, laid out as linux/in.h,
 * linux/in6.h and linux/if_packet.h define them: family in host order, port or protocol and
 * addresses in network order.
 */
final class SockAddr {
    private SockAddr() {}

    /** struct sockaddr_in or sockaddr_in6 of {@code address}, port 0; IPv6 link-local gets {@code scopeId}. */
    static byte[] inet(InetAddress address, int scopeId) {
        if (address instanceof Inet4Address) {
            ByteBuffer b = ByteBuffer.allocate(Sockets.SOCKADDR_IN_LEN).order(ByteOrder.nativeOrder());
            b.putShort((short) Sockets.AF_INET);     // sin_family
            b.putShort((short) 0);                   // sin_port
            b.put(address.getAddress());             // sin_addr
            return b.array();                        // sin_zero
        }
        ByteBuffer b = ByteBuffer.allocate(Sockets.SOCKADDR_IN6_LEN).order(ByteOrder.nativeOrder());
        b.putShort((short) Sockets.AF_INET6);        // sin6_family
        b.putShort((short) 0);                       // sin6_port
        b.putInt(0);                                 // sin6_flowinfo
        b.put(address.getAddress());                 // sin6_addr
        b.putInt(needsScope(address) ? scopeId : 0); // sin6_scope_id
        return b.array();
    }

    /** Link-local and link-scope multicast IPv6 addresses mean something only with an interface. */
    static boolean needsScope(InetAddress address) {
        return address instanceof Inet6Address a && (a.isLinkLocalAddress() || a.isMCLinkLocal());
    }

    /** struct sockaddr_ll towards {@code destination} (6 octets) on interface {@code index}, of Ethernet {@code protocol}. */
    static byte[] link(int index, int protocol, byte[] destination) {
        ByteBuffer b = ByteBuffer.allocate(Sockets.SOCKADDR_LL_LEN).order(ByteOrder.nativeOrder());
        b.putShort((short) Sockets.AF_PACKET);       // sll_family
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) protocol).order(ByteOrder.nativeOrder()); // sll_protocol
        b.putInt(index);                             // sll_ifindex
        b.putShort((short) 0);                       // sll_hatype
        b.put((byte) 0);                             // sll_pkttype
        b.put((byte) destination.length);            // sll_halen
        b.put(destination);                          // sll_addr[8]
        return b.array();
    }

    /** The address in a struct sockaddr_in / sockaddr_in6 the kernel filled in; null when of another family. */
    static InetAddress decodeInet(ByteBuffer b, int offset, int length) {
        if (length < 2) {
            return null;
        }
        int family = Short.toUnsignedInt(b.order(ByteOrder.nativeOrder()).getShort(offset));
        if (family == Sockets.AF_INET && length >= 8) {
            return address(b, offset + 4, 4);
        }
        if (family == Sockets.AF_INET6 && length >= 24) {
            return address(b, offset + 8, 16);
        }
        return null;
    }

    /** {@code n} octets at {@code offset} as an address (IPv6 kept IPv6 even when IPv4-mapped). */
    static InetAddress address(ByteBuffer b, int offset, int n) {
        byte[] raw = new byte[n];
        b.get(offset, raw);
        try {
            return n == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(n + " octets refused as an address", e);
        }
    }
}
