#include "cli.h"

int main(int argc, char **argv)
{
    return lxcf_cli_main(argc, argv);
}
