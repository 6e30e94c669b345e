package io.hactl.sync.filter;

import java.net.InetAddress;

/**
 * An address prefix such as 10.99.0.0/24 or 2001:db8::/32. (A class rather than a record: it
 * keeps the network's bytes, as the filter tests every kernel event against it.)
 */
public final class Cidr {
    private final InetAddress network;
    private final int prefix;
    private final byte[] bytes;

    public Cidr(InetAddress network, int prefix) {
        byte[] a = network.getAddress();
        int bits = a.length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is not 0.." + bits);
        }
        for (int i = prefix; i < bits; i++) {
            if ((a[i / 8] & (0x80 >> (i % 8))) != 0) {
                throw new IllegalArgumentException(network.getHostAddress() + "/" + prefix + " has host bits set");
            }
        }
        this.network = network;
        this.prefix = prefix;
        this.bytes = a;
    }

    public InetAddress network() {
        return network;
    }

    public int prefix() {
        return prefix;
    }

    /** Parses "ADDR/PREFIX" or a bare address (a host prefix). */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a;
        try {
            a = IpLiteral.parse(addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address or CIDR");
        }
        int bits = a.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        return new Cidr(a, prefix);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** Whether the address given by its bytes (4 for IPv4, 16 for IPv6) is in this prefix. */
    public boolean contains(byte[] x) {
        byte[] n = bytes;
        if (n.length != x.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (n[i] != x[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (n[full] & mask) == (x[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && c.network.equals(network);
    }

    @Override
    public int hashCode() {
        return network.hashCode() * 31 + prefix;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
