package dev.dropkit.train;

import java.util.Random;

/** The epoch order of the training examples, shared by every training loop so that equal seeds see equal batches. */
public final class Shuffle {
    private Shuffle() {}

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates) drawn from {@code random}. */
    public static long[] permutation(int n, Random random) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
