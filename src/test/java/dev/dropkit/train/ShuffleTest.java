package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ShuffleTest {
    @Test
    void isASeededPermutation() {
        long[] a = Shuffle.permutation(1000, new Random(3));
        long[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(LongStream.range(0, 1000).toArray(), sorted, "every index exactly once");
        assertArrayEquals(a, Shuffle.permutation(1000, new Random(3)), "same seed, same order");
        assertFalse(Arrays.equals(a, Shuffle.permutation(1000, new Random(4))), "another seed, another order");
        assertFalse(Arrays.equals(a, LongStream.range(0, 1000).toArray()), "actually shuffled");
    }
}
