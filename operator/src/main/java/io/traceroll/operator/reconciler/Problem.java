package io.traceroll.operator.reconciler;

/** A reason a policy cannot be applied as written, with a message for its status and Events. */
public record Problem(String reason, String message) {}
