package dev.sentinel.verdict;

import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/** Where the object is now and how far carrying out its verdict has got. */
public record Placement(PlacementState state, ObjectRef location, Instant updatedAt) { }
