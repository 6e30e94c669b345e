package io.hactl.controller.vrrp.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), the 28 octets after the Ethernet header, as an
 * AF_PACKET datagram socket sends and receives it. Encode and decode side by side.
 *
 * @param operation  {@link #REQUEST} or {@link #REPLY}
 * @param senderMac  sender hardware address, 6 octets
 * @param senderIp   sender protocol address
 * @param targetMac  target hardware address, 6 octets
 * @param targetIp   target protocol address
 */
public record ArpPacket(int operation, byte[] senderMac, Inet4Address senderIp, byte[] targetMac,
        Inet4Address targetIp) {
    /** Octets of an ARP packet for IPv4 over Ethernet. */
    public static final int LENGTH = 28;
    public static final int HTYPE_ETHERNET = 1;      // ARPHRD_ETHER (linux/if_arp.h)
    public static final int PTYPE_IPV4 = 0x0800;     // ETH_P_IP
    public static final int REQUEST = 1;             // ARPOP_REQUEST
    public static final int REPLY = 2;               // ARPOP_REPLY
    private static final int MAC_LENGTH = 6;

    public ArpPacket {
        if (operation != REQUEST && operation != REPLY) {
            throw new IllegalArgumentException("ARP operation " + operation + ", expected 1 or 2");
        }
        senderMac = mac("sender", senderMac);
        targetMac = mac("target", targetMac);
        Objects.requireNonNull(senderIp, "senderIp");
        Objects.requireNonNull(targetIp, "targetIp");
    }

    private static byte[] mac(String which, byte[] mac) {
        if (mac == null || mac.length != MAC_LENGTH) {
            throw new IllegalArgumentException(which + " hardware address of "
                    + (mac == null ? "no" : mac.length) + " octets, expected 6");
        }
        return mac.clone();
    }

    /**
     * The gratuitous ARP a new master sends for {@code address}: a request whose sender and
     * target protocol addresses are both the virtual address, from {@code mac}, target hardware
     * address zero (RFC 5227 section 3's announcement; RFC 9568 section 6.4.1 asks for one per
     * virtual address). Every host that has {@code address} in its cache updates it.
     */
    public static ArpPacket gratuitous(byte[] mac, Inet4Address address) {
        return new ArpPacket(REQUEST, mac, address, new byte[MAC_LENGTH], address);
    }

    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        out[0] = 0;
        out[1] = HTYPE_ETHERNET;                 // ar_hrd
        out[2] = (byte) (PTYPE_IPV4 >>> 8);      // ar_pro
        out[3] = (byte) PTYPE_IPV4;
        out[4] = MAC_LENGTH;                     // ar_hln
        out[5] = 4;                              // ar_pln
        out[6] = 0;                              // ar_op
        out[7] = (byte) operation;
        System.arraycopy(senderMac, 0, out, 8, 6);
        System.arraycopy(senderIp.getAddress(), 0, out, 14, 4);
        System.arraycopy(targetMac, 0, out, 18, 6);
        System.arraycopy(targetIp.getAddress(), 0, out, 24, 4);
        return out;
    }

    /** Reads an ARP packet for IPv4 over Ethernet; what is anything else is an IllegalArgumentException naming the field. */
    public static ArpPacket decode(byte[] in) {
        if (in.length < LENGTH) {
            throw new IllegalArgumentException("ARP packet of " + in.length + " octets, expected at least 28");
        }
        int htype = ((in[0] & 0xFF) << 8) | (in[1] & 0xFF);
        int ptype = ((in[2] & 0xFF) << 8) | (in[3] & 0xFF);
        if (htype != HTYPE_ETHERNET || ptype != PTYPE_IPV4 || in[4] != MAC_LENGTH || in[5] != 4) {
            throw new IllegalArgumentException("ARP packet of hardware type " + htype + ", protocol 0x"
                    + Integer.toHexString(ptype) + ", lengths " + in[4] + "/" + in[5] + ": not IPv4 over Ethernet");
        }
        int op = ((in[6] & 0xFF) << 8) | (in[7] & 0xFF);
        return new ArpPacket(op, Arrays.copyOfRange(in, 8, 14), ipv4(in, 14), Arrays.copyOfRange(in, 18, 24), ipv4(in, 24));
    }

    private static Inet4Address ipv4(byte[] in, int at) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(in, at, at + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 octets refused as an IPv4 address", e);
        }
    }

    @Override
    public byte[] senderMac() {
        return senderMac.clone();
    }

    @Override
    public byte[] targetMac() {
        return targetMac.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArpPacket p && p.operation == operation && Arrays.equals(p.senderMac, senderMac)
                && p.senderIp.equals(senderIp) && Arrays.equals(p.targetMac, targetMac) && p.targetIp.equals(targetIp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operation, Arrays.hashCode(senderMac), senderIp, Arrays.hashCode(targetMac), targetIp);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.ofDelimiter(":");
        return "ArpPacket[" + (operation == REQUEST ? "request" : "reply") + " from " + hex.formatHex(senderMac) + " "
                + senderIp.getHostAddress() + " to " + hex.formatHex(targetMac) + " " + targetIp.getHostAddress() + "]";
    }
}
