package io.hactl.controller.vrrp;

import java.util.Locale;

/**
 * How the VRRPv3 checksum of an IPv4 advertisement is computed when sending
 * ({@code role.vrrp.checksum}). IPv6 advertisements always include the pseudo-header: the
 * kernel computes and checks it there (IPV6_CHECKSUM), whatever the peer is.
 */
public enum ChecksumMode {
    /**
     * RFC 9568 section 5.2.8: over the VRRP message and a pseudo-header (source, destination,
     * protocol 112, length), for IPv4 as for IPv6. keepalived's default for version 3.
     */
    RFC("rfc"),
    /**
     * keepalived's {@code v3_checksum_as_v2} (keepalived 2.2.8 and later): over the VRRP
     * message alone, as VRRPv2 does; for peers that implemented RFC 5798 that way.
     */
    KEEPALIVED_V2("keepalived-v2");

    private final String configName;

    ChecksumMode(String configName) {
        this.configName = configName;
    }

    /** The word used in the configuration. */
    public String configName() {
        return configName;
    }

    /** Parses the configuration word ({@code rfc} or {@code keepalived-v2}), case-insensitive. */
    public static ChecksumMode parse(String word) {
        for (ChecksumMode m : values()) {
            if (m.configName.equals(word.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown checksum '" + word + "' (expected rfc or keepalived-v2)");
    }
}
