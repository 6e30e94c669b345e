package io.hactl.controller.config;

import io.hactl.sync.transport.LinkSpec;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether this host can open the configured sync links: a unicast link's local address must be
 * configured here (else the daemon's bind fails with EADDRNOTAVAIL), a multicast link's interface
 * must exist. Run by {@code hactl config check} and by the daemon before anything else, so that a
 * wrong or not yet configured address is named at once, in the words of the configuration.
 *
 * <p>The probe binds port 0 of the address, not the sync port: a running daemon holds that port,
 * and {@code config check} must give the same answer while it runs.
 */
public final class SyncAddressCheck {
    private SyncAddressCheck() {}

    /** One line per link that cannot be opened here; empty when all can. */
    public static List<String> problems(SyncConfig sync) {
        List<String> out = new ArrayList<>();
        List<LinkSpec> links = sync.links();
        for (int i = 0; i < links.size(); i++) {
            String key = links.size() == 1 ? "sync" : "sync.links[" + i + "]";
            String problem = problem(links.get(i), key);
            if (problem != null) {
                out.add(problem);
            }
        }
        return out;
    }

    private static String problem(LinkSpec link, String key) {
        if (link.multicast()) {
            try {
                if (NetworkInterface.getByName(link.interfaceName()) == null) {
                    return key + ".interface: no interface " + link.interfaceName() + " on this host";
                }
                return null;
            } catch (SocketException e) {
                return key + ".interface: " + link.interfaceName() + ": " + e.getMessage();
            }
        }
        String addr = link.local().getAddress().getHostAddress();
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(link.local().getAddress(), 0))) {
            return null;
        } catch (IOException e) {
            return key + ".local: " + addr + " is not an address of this host (bind: " + e.getMessage() + ")";
        }
    }
}
