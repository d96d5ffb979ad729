import ReleaseCLI

@main
enum Entrypoint {
    static func main() {
        Release.runAndExit()
    }
}
