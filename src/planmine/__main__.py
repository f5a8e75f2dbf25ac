from planmine.cli import main

main()
