package io.hactl.sync.transport;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One sync link: the local address to bind, where to send (the peer's address, or a multicast
 * group), and the interface it runs over (for multicast and for link-state failover; may be null
 * for unicast without link-state checks).
 */
public record LinkSpec(String interfaceName, InetSocketAddress local, InetSocketAddress remote, boolean multicast) {
    public LinkSpec {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        if (multicast && !remote.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("multicast link to " + remote.getAddress().getHostAddress()
                    + ", which is not a multicast group");
        }
        if (!multicast && remote.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("unicast link to multicast group " + remote.getAddress().getHostAddress());
        }
        if (multicast && interfaceName == null) {
            throw new IllegalArgumentException("a multicast link needs its interface");
        }
        if (local.getAddress().getClass() != remote.getAddress().getClass()) {
            throw new IllegalArgumentException("link mixes IPv4 and IPv6: " + local + " -> " + remote);
        }
    }

    /**
     * Whether a datagram from {@code source} can be the peer's. Unicast: exactly the peer's
     * address and port (it sends from the socket it receives on). Multicast: the group's port,
     * since the peer sends from its own socket bound to it; the peer's address is not configured
     * (the group is), so any address on the segment passes and the MAC decides.
     */
    public boolean isPeerSource(InetSocketAddress source) {
        if (source == null || source.getAddress() == null || source.getPort() != remote.getPort()) {
            return false;
        }
        return multicast || java.util.Arrays.equals(source.getAddress().getAddress(), remote.getAddress().getAddress());
    }

    public String describe() {
        return (interfaceName != null ? interfaceName + " " : "") + local.getAddress().getHostAddress() + " -> "
                + remote.getAddress().getHostAddress() + ":" + remote.getPort() + (multicast ? " (multicast)" : "");
    }
}
