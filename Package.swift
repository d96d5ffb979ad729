// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "release",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "release", targets: ["release"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // libgit2's headers; CLibGit2Offline links the library itself.
        .systemLibrary(name: "CLibGit2", providers: [.apt(["libgit2-dev"])]),
        // libdeflate inflates commits read straight from pack files (GitKit.PackFiles).
        .systemLibrary(
            name: "CLibDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // libgit2 and the mbedTLS and http-parser it is built with, linked in from their static
        // archives; libssh2 and GSSAPI are left out and the CA bundle is not loaded, since release
        // never lets libgit2 connect (offline.c says how).
        .target(
            name: "CLibGit2Offline",
            linkerSettings: [
                .linkedLibrary(":libgit2.a"), .linkedLibrary(":libhttp_parser.a"), .linkedLibrary(":libmbedtls.a"),
                .linkedLibrary(":libmbedx509.a"), .linkedLibrary(":libmbedcrypto.a"),
                .linkedLibrary("pcre2-8"), .linkedLibrary("z"),
                .unsafeFlags(["-Xlinker", "--wrap=mbedtls_x509_crt_parse_file", "-Xlinker", "--wrap=mbedtls_x509_crt_parse_path"]),
            ]
        ),
        .target(name: "GitKit", dependencies: ["CLibGit2", "CLibDeflate", "CLibGit2Offline"]),
        .target(
            name: "ReleaseKit",
            dependencies: [
                "GitKit",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // A symlink to the top-level templates/, compiled into the binary.
            resources: [.embedInCode("Templates")]
        ),
        .target(name: "NginxKit", dependencies: ["GitKit"]),
        .target(name: "DeployKit", dependencies: ["NginxKit", "ReleaseKit", "GitKit"]),
        .target(
            name: "ReleaseCLI",
            dependencies: [
                "ReleaseKit",
                "NginxKit",
                "DeployKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildVersion"]
        ),
        .plugin(name: "BuildVersion", capability: .buildTool()),
        .executableTarget(name: "release", dependencies: ["ReleaseCLI"]),

        .target(name: "TestSupport", dependencies: ["ReleaseKit", "NginxKit", "GitKit"], path: "Tests/TestSupport"),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "TestSupport"]),
        .testTarget(
            name: "ReleaseKitTests",
            dependencies: ["ReleaseKit", "GitKit", "TestSupport", .product(name: "Mustache", package: "swift-mustache")]),
        .testTarget(name: "NginxKitTests", dependencies: ["NginxKit", "TestSupport"]),
        .testTarget(name: "ReleaseCLITests", dependencies: ["release", "TestSupport"]),
    ]
)
