package io.hactl.controller.vrrp;

/** Told of every state change of a {@link VrrpInstance}, after the matching {@link Actions} call. */
@FunctionalInterface
public interface InstanceListener {
    void stateChanged(VrrpInstance instance, VrrpState from, VrrpState to, String why);
}
