package io.hactl.sync.filter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses an IP address literal without ever asking a resolver. {@link InetAddress#getByName}
 * treats anything it cannot read as a literal as a host name and looks it up in DNS ("cafe.be",
 * "1e.2", "1.2.3.300"), and reads shorthand such as "10.1" as 10.0.0.1: a gateway's
 * configuration must name its addresses exactly and must not depend on DNS.
 */
public final class IpLiteral {
    private IpLiteral() {}

    /** Dotted-quad IPv4, decimal, without leading zeros (which other tools read as octal). */
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})");
    /** What an IPv6 literal may contain (an embedded IPv4 part included); no zone. */
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    /** The address {@code text} spells; throws IllegalArgumentException when it is not a literal. */
    public static InetAddress parse(String text) {
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    throw notLiteral(text);
                }
                b[i] = (byte) octet;
            }
            return byAddress(b);
        }
        // the JDK never resolves a name that contains ':': it parses it as an IPv6 literal or fails
        if (!text.contains(":") || !IPV6_CHARS.matcher(text).matches()) {
            throw notLiteral(text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw notLiteral(text);
        }
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an IPv4 address", e);
        }
    }

    private static IllegalArgumentException notLiteral(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IP address");
    }
}
