package io.hactl.sync.transport;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.hactl.sync.sys.LibC;
import java.nio.charset.StandardCharsets;

/** Whether an interface can carry traffic. */
public interface LinkState {
    /**
     * @param interfaceName the link's interface
     * @param fd            a socket of the link, in the link's network namespace
     */
    boolean isUp(String interfaceName, int fd);

    /**
     * Asks the kernel through the link's own socket (SIOCGIFFLAGS), so the answer comes from the
     * socket's network namespace whatever the thread's: usable when IFF_UP and IFF_RUNNING
     * (operationally up: carrier present). An interface that is gone is down.
     */
    LinkState KERNEL = (name, fd) -> {
        byte[] ifreq = new byte[40]; // struct ifreq: ifr_name[IFNAMSIZ=16], then ifr_flags (short)
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, ifreq, 0, Math.min(n.length, 15));
        try {
            LibC.ioctl(fd, new NativeLong(0x8913), ifreq); // SIOCGIFFLAGS
        } catch (LastErrorException e) {
            return false; // ENODEV: gone
        }
        int flags = (ifreq[16] & 0xff) | (ifreq[17] & 0xff) << 8; // host (little-endian) short
        return (flags & 0x1) != 0 && (flags & 0x40) != 0; // IFF_UP, IFF_RUNNING
    };
}
