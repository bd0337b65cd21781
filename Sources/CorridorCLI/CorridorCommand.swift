import ArgumentParser
import CorridorIO

/// The `corridor` command-line tool.
public struct CorridorCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "corridor",
        abstract: "Migration-flow analytics and simulation for the El Salvador, Guatemala, Honduras – Mexico – United States corridor.",
        discussion: """
            Models and scenarios are YAML (or JSON) files in the format of MODEL-FORMAT.md.
            Example:
              corridor run Datasets/examples/scenario.yaml --out out/example
            """,
        version: CorridorVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, CompareCommand.self, PlanCommand.self, SensitivityCommand.self, ReportCommand.self, NotebookCommand.self, CalibrateCommand.self, BacktestCommand.self]
    )

    public init() {}

    /// Parses the command line and runs the command, ending cleanly on SIGINT or SIGTERM.
    public static func main() {
        Interruption.install()
        main(nil)
    }
}
