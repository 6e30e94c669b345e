package io.hactl.controller.vrrp.net;

import io.hactl.controller.vrrp.IpHeader;
import java.util.Objects;

/**
 * A VRRP packet as a {@link VrrpSocket} received it: what its IP header said (source,
 * destination, TTL or hop limit) and the VRRP message after that header, for
 * {@link io.hactl.controller.vrrp.ReceiveCheck}.
 *
 * @param header     the IP header's fields
 * @param message    the octets of the VRRP message, IP header removed
 * @param receivedAt when the kernel received it, on the {@link System#nanoTime} clock
 */
public record Datagram(IpHeader header, byte[] message, long receivedAt) {
    public Datagram {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(message, "message");
    }

    /** Received now. */
    public Datagram(IpHeader header, byte[] message) {
        this(header, message, System.nanoTime());
    }
}
