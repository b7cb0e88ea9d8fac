from successkit.cli import main

main()
