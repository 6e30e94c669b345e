package io.hactl.sync.engine;

/**
 * A count of the replicated flows (those the filter accepts) in the kernel's conntrack table,
 * taken off the engine's loop, against the caches' sizes around it.
 *
 * @param kernelFlows    replicated flows the dump found
 * @param internal       the internal cache's size when the dump ended
 * @param external       the external cache's size then (the peer's flows may be in this kernel too)
 * @param tolerance      kernel events applied while the dump ran: each may or may not be in it
 * @param ageMillis      since the dump ended
 * @param millis         how long the dump took
 * @param missing        internal-cache flows the kernel does not hold, at least (0 when the counts allow none)
 * @param unknown        kernel flows in neither cache, at least (0 when the counts allow none)
 * @param checksOff      consecutive counts that found more flows missing than the tolerance, this one included
 */
public record KernelCount(long kernelFlows, long internal, long external, long tolerance, long ageMillis, long millis,
                          long missing, long unknown, int checksOff) {
}
