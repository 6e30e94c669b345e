package io.hactl.controller.vrrp.net;

import java.util.HexFormat;

/** Byte fixtures written as hex, one field per line, spaces and comments ignored. */
final class Bytes {
    private Bytes() {}

    /** Hex digits of all lines, each line's {@code #} comment dropped. */
    static byte[] hex(String... lines) {
        StringBuilder digits = new StringBuilder();
        for (String line : lines) {
            int hash = line.indexOf('#');
            digits.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s", ""));
        }
        return HexFormat.of().parseHex(digits.toString());
    }
}
