package io.hactl.sync.ctnetlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * Helpers for byte fixtures. Fixtures are written for a little-endian host (x86_64, aarch64):
 * netlink headers ({@code nla_len}, {@code nla_type}, {@code nlmsghdr}) in host order, ctnetlink
 * payloads big-endian.
 */
final class Fixtures {
    private Fixtures() {}

    static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Concatenates hex strings; spaces are ignored so a fixture can group bytes by field. */
    static byte[] hex(String... lines) {
        return HexFormat.of().parseHex(String.join("", lines).replace(" ", ""));
    }

    /** Hex in 4-byte groups (one netlink alignment unit), so a failed comparison shows where. */
    static String groups(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0 && i % 4 == 0) {
                sb.append(i % 32 == 0 ? '\n' : ' ');
            }
            sb.append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }

    /** A read buffer over the bytes in host order, as a received datagram is. */
    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
