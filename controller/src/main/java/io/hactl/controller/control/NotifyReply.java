package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to {@code notify}: whether the change was queued (else the role was already reached
 * or queued last), the state asked for and the role now.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotifyReply(boolean queued, String state, String role) {}
