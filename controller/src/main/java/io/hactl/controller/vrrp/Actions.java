package io.hactl.controller.vrrp;

/**
 * What a {@link VrrpInstance} does to the world. Called on the instance's thread, in order;
 * each call returns quickly (a slow step, such as committing conntrack state before the
 * addresses move, belongs to whoever implements {@link #becomeMaster}).
 */
public interface Actions {
    /** Sends one advertisement with {@code priority} (0 when giving up mastership). */
    void sendAdvert(int priority);

    /** The instance is now MASTER: the virtual addresses go up, gratuitous ARP / NA go out. */
    void becomeMaster();

    /** The instance is now BACKUP: the virtual addresses, if held, go down. */
    void becomeBackup();

    /** The instance is now FAULT: the virtual addresses, if held, go down. */
    void becomeFault();

    /** The instance stopped (back to INITIALIZE): the virtual addresses, if held, go down. */
    void stopped();
}
