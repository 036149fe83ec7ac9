from bench.analysis.run import main

main()
